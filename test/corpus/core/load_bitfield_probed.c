/* Loadable (raw_tp/sched_switch): task_struct bitfields read from an
 * untyped pointer with bpf_probe_read_kernel of FIELD_BYTE_SIZE bytes at
 * FIELD_BYTE_OFFSET, then shifted by FIELD_LSHIFT_U64/FIELD_RSHIFT_U64 and
 * FIELD_SIGNED chooses the shift: our own take on reading a bitfield the
 * probed way. The verifier sees the relocated size as the helper's size. */
#include "core.h"

static long (*probe_read_kernel)(void *dst, u32 size, const void *src) = (void *)113;

#define read_bitfield_probed(s, field) ({                                          \
	u64 __v = 0;                                                               \
	probe_read_kernel(&__v, field_size((s)->field),                            \
			  (const void *)(s) + field_off((s)->field));              \
	__v <<= field_lshift((s)->field);                                          \
	if (field_signed((s)->field))                                              \
		__v = (u64)((s64)__v >> field_rshift((s)->field));                 \
	else                                                                       \
		__v >>= field_rshift((s)->field);                                  \
	__v;                                                                       \
})

struct task_struct {
	unsigned int sched_reset_on_fork: 1;
	unsigned int sched_contributes_to_load: 1;
	unsigned int in_execve: 1;
	unsigned int in_iowait: 1;
} __pai;

SEC("raw_tp/sched_switch")
int bits_probed(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];

	return (int)(read_bitfield_probed(prev, sched_reset_on_fork) +
		     read_bitfield_probed(prev, sched_contributes_to_load) * 2 +
		     read_bitfield_probed(prev, in_execve) * 4 + read_bitfield_probed(prev, in_iowait) * 8);
}

LICENSE_GPL;
