/* Loadable (tp_btf/sched_switch): a flavor struct task_struct___old with
 * the pre-5.14 `long state`, chosen at run time by FIELD_EXISTS against the
 * current `unsigned int __state`: the flavor's read is poisoned and dead,
 * the current one is patched. A second flavor (___renamed) names a field
 * that exists (pid), so both flavors resolve to the same kernel struct. */
#include "core.h"

struct task_struct {
	unsigned int __state;
	int tgid;
} __pai;

struct task_struct___old {
	long state;
} __pai;

struct task_struct___renamed {
	int pid;
} __pai;

SEC("tp_btf/sched_switch")
int state_flavor(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct___old *old = (void *)prev;
	struct task_struct___renamed *ren = (void *)prev;
	long state;

	if (field_exists(old->state))
		state = old->state;
	else
		state = prev->__state;
	return (int)state + ren->pid + prev->tgid;
}

LICENSE_GPL;
