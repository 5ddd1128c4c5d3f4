/* Loadable (tp_btf/sched_switch): task_struct bitfields read directly from
 * a BTF pointer with core.h's read_bitfield: a load of FIELD_BYTE_SIZE bytes
 * at FIELD_BYTE_OFFSET (the switch keeps only the relocated size's case
 * live), then the shifts. Also a bitfield declared with a different local
 * base type (u8), whose load size libbpf takes from the target. */
#include "core.h"

struct task_struct {
	unsigned int in_execve: 1;
	u8 in_iowait: 1;
	unsigned int sched_reset_on_fork: 1;
} __pai;

SEC("tp_btf/sched_switch")
int bits_direct(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct task_struct *next = (void *)ctx[2];

	return (int)(read_bitfield(prev, in_execve) + read_bitfield(next, in_iowait) * 2 +
		     read_bitfield(prev, sched_reset_on_fork) * 4);
}

LICENSE_GPL;
