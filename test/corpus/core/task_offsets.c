/* FIELD_BYTE_OFFSET on plain loads: task_struct scalar fields and pointer
 * chains (real_parent->pid, group_leader->mm), each load an LDX whose offset
 * is relocated. */
#include "core.h"

struct mm_struct {
	unsigned long total_vm;
} __pai;

struct task_struct {
	unsigned int flags;
	int prio;
	int pid;
	int tgid;
	u64 start_time;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct mm_struct *mm;
} __pai;

SEC("tp/sched/sched_process_exec")
int task_scalars(void *ctx)
{
	struct task_struct *t = ctx;

	return t->pid + t->tgid + t->prio + (int)t->flags + (int)t->start_time;
}

SEC("tp/sched/sched_process_fork")
int task_chains(void *ctx)
{
	struct task_struct *t = ctx;

	return t->real_parent->pid + t->real_parent->real_parent->tgid +
	       (int)t->group_leader->mm->total_vm;
}

LICENSE_GPL;
