/* The candidate cache: the kernel has two different struct syscall_tp_t.
 * A first relocation of .ret matches only one of them, and libbpf drops the
 * other from the cached candidates of the local type, so a later TYPE_SIZE
 * of the same local type is unambiguous (alone it would fail). */
#include "core.h"

struct syscall_tp_t {
	unsigned long long regs;
	long syscall_nr;
	unsigned long ret;
} __pai;

SEC("tp/prune/first")
int prune_first(void *ctx)
{
	struct syscall_tp_t *s = ctx;

	return (int)s->ret + (int)s->syscall_nr;
}

SEC("tp/prune/second")
int prune_second(void *ctx)
{
	return type_size(struct syscall_tp_t);
}

LICENSE_GPL;
