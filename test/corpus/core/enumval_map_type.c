/* ENUMVAL_EXISTS and ENUMVAL_VALUE on enum bpf_map_type: values present in
 * every target, ones added in 6.2 (CGRP_STORAGE), 6.9 (ARENA) and 7.1
 * (INSN_ARRAY), a name that 6.2 renamed (CGROUP_STORAGE_DEPRECATED), and one
 * that never existed. A missing value poisons the ALU immediate. */
#include "core.h"

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_RINGBUF = 27,
	BPF_MAP_TYPE_USER_RINGBUF = 31,
	BPF_MAP_TYPE_CGRP_STORAGE = 32,
	BPF_MAP_TYPE_ARENA = 33,
	BPF_MAP_TYPE_INSN_ARRAY = 34,
	BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED = 19,
	BPF_MAP_TYPE_BTFKIT = 1000,
};

SEC("tp/enum/exists")
int enum_exists_all(void *ctx)
{
	return enum_exists(enum bpf_map_type, BPF_MAP_TYPE_HASH) + enum_exists(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF) * 2 +
	       enum_exists(enum bpf_map_type, BPF_MAP_TYPE_CGRP_STORAGE) * 4 +
	       enum_exists(enum bpf_map_type, BPF_MAP_TYPE_ARENA) * 8 +
	       enum_exists(enum bpf_map_type, BPF_MAP_TYPE_INSN_ARRAY) * 16 +
	       enum_exists(enum bpf_map_type, BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED) * 32 +
	       enum_exists(enum bpf_map_type, BPF_MAP_TYPE_BTFKIT) * 64;
}

SEC("tp/enum/values")
int enum_values_all(void *ctx)
{
	return enum_value(enum bpf_map_type, BPF_MAP_TYPE_HASH) + enum_value(enum bpf_map_type, BPF_MAP_TYPE_USER_RINGBUF) +
	       enum_value(enum bpf_map_type, BPF_MAP_TYPE_CGRP_STORAGE) + enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARENA) +
	       enum_value(enum bpf_map_type, BPF_MAP_TYPE_INSN_ARRAY) +
	       enum_value(enum bpf_map_type, BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED) +
	       enum_value(enum bpf_map_type, BPF_MAP_TYPE_BTFKIT);
}

LICENSE_GPL;
