/* FIELD_BYTE_SIZE of btfkit_sized.a: the two target candidates agree on the
 * offset but give sizes 4 and 8, a relocation decision ambiguity. */
#include "core.h"

struct btfkit_sized {
	unsigned int a;
} __pai;

SEC("tp/ambs/size")
int ambs_size(void *ctx)
{
	return field_size(((struct btfkit_sized *)ctx)->a);
}

LICENSE_GPL;
