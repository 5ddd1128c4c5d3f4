/* Loadable (tp_btf/sched_switch): array elements of task_struct.comm at
 * constant indices (access strings 0:N:i), the array's byte size, and an
 * element of an array reached through a pointer (real_parent->comm[i]). */
#include "core.h"

struct task_struct {
	struct task_struct *real_parent;
	char comm[16];
} __pai;

SEC("tp_btf/sched_switch")
int comm_elems(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct *next = (void *)ctx[2];

	return prev->comm[0] + prev->comm[5] + next->comm[15] + prev->real_parent->comm[3] +
	       field_size(prev->comm) + field_off(next->comm[7]);
}

LICENSE_GPL;
