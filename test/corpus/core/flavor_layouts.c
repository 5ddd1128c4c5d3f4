/* Local flavors with differing layouts (task_struct___a, ___b) all resolve
 * to the kernel's task_struct; a double suffix (task_struct___x___y) strips
 * only the last flavor and so has no candidate; a trailing "___" is not a
 * flavor at all. */
#include "core.h"

struct task_struct___a {
	int pid;
	int tgid;
} __pai;

struct task_struct___b {
	char comm[16];
	struct task_struct___b *real_parent;
	int tgid;
} __pai;

struct task_struct___x___y {
	int pid;
} __pai;

struct task_struct___ {
	int pid;
} __pai;

SEC("tp/flavor/a")
int flavor_a(void *ctx)
{
	struct task_struct___a *t = ctx;

	return t->pid + t->tgid;
}

SEC("tp/flavor/b")
int flavor_b(void *ctx)
{
	struct task_struct___b *t = ctx;

	return t->comm[1] + t->real_parent->tgid + type_size(struct task_struct___b);
}

SEC("tp/flavor/double")
int flavor_double(void *ctx)
{
	return ((struct task_struct___x___y *)ctx)->pid + field_exists(((struct task_struct___x___y *)ctx)->pid) +
	       ((struct task_struct___ *)ctx)->pid + type_exists(struct task_struct___);
}

LICENSE_GPL;
