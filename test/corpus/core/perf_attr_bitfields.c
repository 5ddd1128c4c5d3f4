/* u64 bitfields of perf_event_attr, including __reserved_1 whose width
 * shrank from 26 to 24 bits in 7.1: LSHIFT_U64 and RSHIFT_U64 follow the
 * width and position in each target. */
#include "core.h"

struct perf_event_attr {
	u32 type;
	u32 size;
	u64 config;
	u64 sample_period;
	u64 disabled: 1, inherit: 1, pinned: 1, exclusive: 1, exclude_user: 1;
	u64 mmap: 1, comm: 1, freq: 1;
	u64 sample_id_all: 1;
	u64 aux_output: 1;
	u64 __reserved_1: 26;
	u32 bp_type;
	u64 config1;
} __pai;

SEC("tp/perf/bits")
int perf_bits(void *ctx)
{
	struct perf_event_attr *a = ctx;

	return (int)(read_bitfield(a, disabled) + read_bitfield(a, exclude_user) + read_bitfield(a, freq) +
		     read_bitfield(a, sample_id_all) + read_bitfield(a, aux_output));
}

SEC("tp/perf/reserved")
int perf_reserved(void *ctx)
{
	struct perf_event_attr *a = ctx;

	return (int)read_bitfield(a, __reserved_1) + a->bp_type + (int)a->config1 + (int)a->sample_period;
}

LICENSE_GPL;
