/* Relocations inside subprograms in .text (a static noinline function and
 * a global one), called from programs in two sections: libbpf numbers them
 * by .text's own CO-RE block and names the subprogram as the program. */
#include "core.h"

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
} __pai;

static __noinline int parent_pid(struct task_struct *t)
{
	return t->real_parent->pid;
}

__noinline int comm_sum(struct task_struct *t)
{
	return t->comm[0] + t->comm[1] + field_size(t->comm);
}

SEC("tp/sub/one")
int sub_one(void *ctx)
{
	struct task_struct *t = ctx;

	return parent_pid(t) + comm_sum(t) + t->tgid;
}

SEC("tp/sub/two")
int sub_two(void *ctx)
{
	struct task_struct *t = ctx;

	return parent_pid(t->real_parent) + t->pid;
}

LICENSE_GPL;
