/* Fields that no target has, or whose target type is incompatible (an int
 * locally but a pointer in the kernel, a struct locally but an int): the
 * relocated load, size and offset are poisoned, exists yields 0. */
#include "core.h"

struct task_struct {
	int pid;
	int btfkit_missing;
	long mm;             /* kernel: pointer -> incompatible */
	struct { int x; } prio; /* kernel: int -> incompatible */
} __pai;

SEC("tp/missing/load")
int missing_load(void *ctx)
{
	struct task_struct *t = ctx;

	return t->btfkit_missing + (int)t->mm + t->prio.x + t->pid;
}

SEC("tp/missing/info")
int missing_info(void *ctx)
{
	struct task_struct *t = ctx;

	return field_size(t->btfkit_missing) + field_off(t->mm) + field_exists(t->prio) + field_exists(t->btfkit_missing);
}

LICENSE_GPL;
