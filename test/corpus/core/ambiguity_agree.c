/* Candidates that agree: btfkit_agree and btfkit_agree___2 are identical;
 * btfkit_sized and ___2 place a at the same offset with different sizes,
 * so an LDX of a is patched with the first candidate's size (no error),
 * while FIELD_BYTE_SIZE of a would disagree (see ambiguity_size.c). */
#include "core.h"

struct btfkit_agree {
	int a;
	long b;
} __pai;

struct btfkit_sized {
	unsigned int a;
} __pai;

SEC("tp/amba/agree")
int amba_agree(void *ctx)
{
	struct btfkit_agree *p = ctx;

	return p->a + (int)p->b + field_off(p->b) + type_size(struct btfkit_agree);
}

SEC("tp/amba/sized")
int amba_sized(void *ctx)
{
	return ((struct btfkit_sized *)ctx)->a + field_exists(((struct btfkit_sized *)ctx)->a);
}

LICENSE_GPL;
