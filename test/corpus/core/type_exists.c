/* TYPE_EXISTS on structs, a union, an enum, typedefs of ints and of a
 * function pointer, and types that are absent or incompatible: a typedef
 * that is an array here but an int in the kernel, a function-pointer
 * typedef with the wrong number of parameters, a union flavor of a struct. */
#include "core.h"

struct task_struct {
	int pid;
};

union bpf_attr {
	u32 map_type;
};

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
};

typedef int pid_t;
typedef int pid_t___arr[2];
typedef u64 (*bpf_callback_t)(u64, u64, u64, u64, u64);
typedef u64 (*bpf_callback_t___short)(u64, u64);

union task_struct___union {
	int pid;
};

struct btfkit_nowhere {
	int x;
};

SEC("tp/exists/types")
int exists_types(void *ctx)
{
	return type_exists(struct task_struct) + type_exists(union bpf_attr) * 2 + type_exists(enum bpf_map_type) * 4 +
	       type_exists(pid_t) * 8 + type_exists(bpf_callback_t) * 16;
}

SEC("tp/exists/absent")
int exists_absent(void *ctx)
{
	return type_exists(pid_t___arr) + type_exists(bpf_callback_t___short) * 2 +
	       type_exists(union task_struct___union) * 4 + type_exists(struct btfkit_nowhere) * 8;
}

LICENSE_GPL;
