/* Target "ambiguous" has btfkit_amb and btfkit_amb___dup with a and b at
 * swapped offsets: the first relocation of a fails with a field offset
 * ambiguity and libbpf stops there. Against every other target the type is
 * simply missing (poisoned loads). */
#include "core.h"

struct btfkit_amb {
	int a;
	int b;
} __pai;

SEC("tp/ambo/read")
int ambo_read(void *ctx)
{
	struct btfkit_amb *p = ctx;

	return p->a + p->b;
}

LICENSE_GPL;
