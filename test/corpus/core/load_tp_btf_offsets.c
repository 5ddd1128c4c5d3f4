/* Loadable (tp_btf/sched_switch): direct reads of BTF task pointers at
 * CO-RE field byte offsets, through a nested struct (se.vruntime) and a
 * pointer chain (prev->real_parent->pid). The verifier checks each load
 * against the kernel's task_struct, so a wrong offset fails to load. */
#include "core.h"

struct sched_entity {
	u64 vruntime;
	u64 sum_exec_runtime;
} __pai;

struct task_struct {
	int prio;
	struct sched_entity se;
	int pid;
	int tgid;
	struct task_struct *real_parent;
} __pai;

SEC("tp_btf/sched_switch")
int switch_offsets(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct *next = (void *)ctx[2];

	return prev->pid + next->tgid + prev->real_parent->pid + (int)prev->se.vruntime +
	       (int)next->se.sum_exec_runtime + next->prio;
}

LICENSE_GPL;
