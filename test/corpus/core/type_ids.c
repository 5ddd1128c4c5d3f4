/* TYPE_ID_LOCAL and TYPE_ID_TARGET (ldimm64 immediates) for a struct, a
 * union, an enum, a typedef, a flavored struct and a type missing from every
 * target (target id 0, not poisoned). */
#include "core.h"

struct task_struct {
	int pid;
} __pai;

struct task_struct___flv {
	int tgid;
} __pai;

union bpf_attr {
	u32 map_type;
} __pai;

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
};

typedef int pid_t;

struct btfkit_absent {
	int x;
} __pai;

SEC("tp/ids/local")
u64 ids_local(void *ctx)
{
	return type_id_local(struct task_struct) + type_id_local(union bpf_attr) + type_id_local(enum bpf_map_type) +
	       type_id_local(pid_t) + type_id_local(struct btfkit_absent);
}

SEC("tp/ids/target")
u64 ids_target(void *ctx)
{
	return type_id_target(struct task_struct) * 3 + type_id_target(union bpf_attr) * 5 +
	       type_id_target(enum bpf_map_type) * 7 + type_id_target(pid_t) * 11 +
	       type_id_target(struct task_struct___flv) * 13 + type_id_target(struct btfkit_absent);
}

LICENSE_GPL;
