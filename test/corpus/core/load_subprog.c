/* Loadable (tp_btf/sched_switch and raw_tp/sched_switch): CO-RE
 * relocations inside static __noinline subprograms, one taking a BTF task
 * pointer (direct reads) and one reading through bpf_probe_read_kernel,
 * each called from two programs. */
#include "core.h"

static long (*probe_read_kernel)(void *dst, u32 size, const void *src) = (void *)113;

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
} __pai;

static __noinline int parent_tgid(struct task_struct *t)
{
	return t->real_parent->tgid + t->pid;
}

static __noinline int probed_pid(struct task_struct *t)
{
	int pid = 0;

	probe_read_kernel(&pid, sizeof(pid), __builtin_preserve_access_index(&t->pid));
	return pid;
}

SEC("tp_btf/sched_switch")
int sub_btf(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct *next = (void *)ctx[2];

	return parent_tgid(prev) + parent_tgid(next) + prev->tgid;
}

SEC("raw_tp/sched_switch")
int sub_raw(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];

	return probed_pid(prev) + probed_pid((struct task_struct *)ctx[2]);
}

LICENSE_GPL;
