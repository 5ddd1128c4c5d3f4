/* union bpf_attr: members of anonymous structs inside a union, fields added
 * over time (map_extra in 5.16, map_token_fd in 6.9, excl_prog_hash later),
 * and FIELD_EXISTS / FIELD_BYTE_OFFSET of members of different anonymous
 * structs that overlap at the same offsets. */
#include "core.h"

union bpf_attr {
	struct {
		u32 map_type;
		u32 key_size;
		u32 value_size;
		u32 max_entries;
		u64 map_extra;
		s32 map_token_fd;
		u64 excl_prog_hash;
	};
	struct {
		u32 map_fd;
		u64 key;
		u64 flags;
	};
	struct {
		u32 prog_type;
		u32 insn_cnt;
		u32 prog_token_fd;
	};
} __pai;

SEC("tp/attr/map")
int attr_map(void *ctx)
{
	union bpf_attr *a = ctx;

	return a->map_type + a->key_size + a->max_entries + (int)a->map_extra + field_exists(a->map_token_fd) +
	       field_exists(a->excl_prog_hash) * 2 + field_off(a->excl_prog_hash);
}

SEC("tp/attr/other")
int attr_other(void *ctx)
{
	union bpf_attr *a = ctx;

	return a->map_fd + (int)a->flags + a->prog_type + a->insn_cnt + field_exists(a->prog_token_fd) +
	       field_off(a->prog_token_fd);
}

LICENSE_GPL;
