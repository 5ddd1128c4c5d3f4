/* Loadable (tp_btf/sched_switch): ENUMVAL_EXISTS and ENUMVAL_VALUE on real
 * kernel enums (enum bpf_map_type with local values that differ from the
 * kernel's, enum pid_type), and the value of an enumerator no kernel has,
 * asked for only behind its existence check (poisoned, dead). */
#include "core.h"

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 100,
	BPF_MAP_TYPE_ARENA = 101,
	BPF_MAP_TYPE_RINGBUF = 102,
	BPF_MAP_TYPE_BTFKIT_NONE = 103,
};

enum pid_type {
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct task_struct {
	int pid;
} __pai;

SEC("tp_btf/sched_switch")
int enum_vals(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int r = prev->pid;

	r += enum_exists(enum bpf_map_type, BPF_MAP_TYPE_HASH) + enum_exists(enum bpf_map_type, BPF_MAP_TYPE_ARENA) * 2 +
	     enum_exists(enum bpf_map_type, BPF_MAP_TYPE_BTFKIT_NONE) * 4;
	r += enum_value(enum bpf_map_type, BPF_MAP_TYPE_HASH) + enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF) +
	     enum_value(enum pid_type, PIDTYPE_SID) + enum_value(enum pid_type, PIDTYPE_MAX);
	if (enum_exists(enum bpf_map_type, BPF_MAP_TYPE_ARENA))
		r += enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARENA);
	if (enum_exists(enum bpf_map_type, BPF_MAP_TYPE_BTFKIT_NONE))
		r += enum_value(enum bpf_map_type, BPF_MAP_TYPE_BTFKIT_NONE);
	return r;
}

LICENSE_GPL;
