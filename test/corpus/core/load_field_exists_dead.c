/* Loadable (tp_btf/sched_switch): FIELD_EXISTS guarding reads of fields
 * that no kernel has (a scalar and a pointer chain). The existence checks
 * become 0, the guarded loads are poisoned, and the verifier must accept
 * the program because the poisoned instructions are dead code. */
#include "core.h"

struct task_struct {
	int pid;
	u64 btfkit_absent;
	struct task_struct *btfkit_absent_ptr;
	int prio;
} __pai;

SEC("tp_btf/sched_switch")
int exists_guard(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int r = prev->pid;

	if (field_exists(prev->btfkit_absent))
		r += (int)prev->btfkit_absent;
	if (field_exists(prev->btfkit_absent_ptr))
		r += prev->btfkit_absent_ptr->prio;
	if (field_exists(prev->prio))
		r += prev->prio;
	return r;
}

LICENSE_GPL;
