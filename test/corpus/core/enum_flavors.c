/* Enum flavors: a second local definition of bpf_map_type (enumerator names
 * carry the ___v2 flavor too, since C enumerators share one namespace) whose
 * values are deliberately wrong locally; the target supplies the real ones.
 * Also an enum flavor that is a subset, and pid_type under a flavor. */
#include "core.h"

enum bpf_map_type {
	BPF_MAP_TYPE_ARRAY = 2,
};

enum bpf_map_type___v2 {
	BPF_MAP_TYPE_ARRAY___v2 = 100,
	BPF_MAP_TYPE_RINGBUF___v2 = 101,
	BPF_MAP_TYPE_ARENA___v2 = 102,
};

enum pid_type___x {
	PIDTYPE_SID___x = 7,
	PIDTYPE_MAX___x = 9,
};

SEC("tp/enumflv/map")
int enumflv_map(void *ctx)
{
	return enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARRAY) +
	       enum_value(enum bpf_map_type___v2, BPF_MAP_TYPE_ARRAY___v2) * 3 +
	       enum_value(enum bpf_map_type___v2, BPF_MAP_TYPE_RINGBUF___v2) * 5 +
	       enum_exists(enum bpf_map_type___v2, BPF_MAP_TYPE_ARENA___v2) * 7;
}

SEC("tp/enumflv/pid")
int enumflv_pid(void *ctx)
{
	return enum_value(enum pid_type___x, PIDTYPE_SID___x) + enum_value(enum pid_type___x, PIDTYPE_MAX___x) * 3 +
	       type_size(enum pid_type___x);
}

LICENSE_GPL;
