/* TYPE_SIZE of structs whose size differs per kernel (task_struct,
 * sk_buff, bpf_map), a union, an enum, an enum64, typedefs, a flavored
 * local type and a missing type (0). */
#include "core.h"

struct task_struct { int pid; };
struct task_struct___mine { int pid; };
struct sk_buff { unsigned int len; };
struct bpf_map { u32 key_size; };
union bpf_attr { u32 map_type; };
enum bpf_map_type { BPF_MAP_TYPE_HASH = 1 };
enum perf_callchain_context { PERF_CONTEXT_HV = 0 };
typedef int pid_t;
typedef struct { int counter; } atomic_t;
struct btfkit_sizeless { int x; };

SEC("tp/size/structs")
int size_structs(void *ctx)
{
	return type_size(struct task_struct) + type_size(struct sk_buff) + type_size(struct bpf_map) +
	       type_size(union bpf_attr) + type_size(struct task_struct___mine);
}

SEC("tp/size/scalars")
int size_scalars(void *ctx)
{
	return type_size(enum bpf_map_type) + type_size(enum perf_callchain_context) + type_size(pid_t) +
	       type_size(atomic_t) + type_size(struct btfkit_sizeless);
}

LICENSE_GPL;
