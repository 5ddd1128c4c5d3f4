/* Loadable (tp_btf/sched_switch): CO-RE relocations next to map
 * relocations of global variables in .data, .bss and .rodata (ldimm64 of a
 * map value), in the same basic blocks: the relocated object keeps the
 * internal maps for the loader to create. */
#include "core.h"

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
} __pai;

int data_bias = 3;
u64 bss_switches;
int bss_last_pid;
const volatile int rodata_scale = 2;

SEC("tp_btf/sched_switch")
int globals(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];

	bss_switches++;
	bss_last_pid = prev->pid;
	return prev->tgid * rodata_scale + data_bias + prev->comm[field_size(prev->comm) - 1];
}

LICENSE_GPL;
