/* Loadable (tp_btf/sched_switch), TYPE_MATCHES (clang >= 15): matches of a
 * subset of sched_entity, of a mismatching flavor, of enum pid_type, and a
 * read of the task's pid guarded by a match of a task_struct flavor. */
#include "core.h"

struct sched_entity {
	u64 vruntime;
} __pai;

struct sched_entity___bad {
	u32 vruntime;
} __pai;

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
};

struct task_struct {
	int pid;
	struct sched_entity se;
} __pai;

struct task_struct___matching {
	int pid;
} __pai;

SEC("tp_btf/sched_switch")
int matches(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int r = type_matches(struct sched_entity) + type_matches(struct sched_entity___bad) * 2 +
		type_matches(enum pid_type) * 4;

	if (type_matches(struct task_struct___matching))
		r += ((struct task_struct___matching *)prev)->pid;
	return r + (int)prev->se.vruntime;
}

LICENSE_GPL;
