/* One-bit unsigned bitfields of task_struct, declared locally with other
 * base types (u8, unsigned int, u64): libbpf derives the load size from the
 * target member type, not from the local declaration. */
#include "core.h"

struct task_struct {
	u8 sched_reset_on_fork: 1;
	unsigned int in_execve: 1;
	u64 in_iowait: 1;
} __pai;

SEC("tp/task/bits")
int task_bits(void *ctx)
{
	struct task_struct *t = ctx;

	return (int)(read_bitfield(t, sched_reset_on_fork) + read_bitfield(t, in_execve) + read_bitfield(t, in_iowait));
}

SEC("tp/task/bitinfo")
int task_bitinfo(void *ctx)
{
	struct task_struct *t = ctx;

	return field_off(t->in_execve) + field_size(t->in_execve) + field_lshift(t->in_execve) +
	       field_rshift(t->in_execve) + field_signed(t->in_execve) + field_exists(t->in_iowait);
}

LICENSE_GPL;
