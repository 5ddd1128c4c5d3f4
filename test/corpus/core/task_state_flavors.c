/* A field renamed between kernels (task_struct.state became __state in
 * 5.14), handled with two local flavors guarded by FIELD_EXISTS: the ___old
 * read is poisoned on every 6.x target while its exists check yields 0. */
#include "core.h"

struct task_struct___new {
	unsigned int __state;
} __pai;

struct task_struct___old {
	long state;
} __pai;

SEC("tp/sched/sched_switch")
int task_state(void *ctx)
{
	long st = 0;

	if (field_exists(((struct task_struct___new *)ctx)->__state))
		st = ((struct task_struct___new *)ctx)->__state;
	else if (field_exists(((struct task_struct___old *)ctx)->state))
		st = ((struct task_struct___old *)ctx)->state;
	return (int)st;
}

LICENSE_GPL;
