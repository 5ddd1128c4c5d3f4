/* Loadable (tp_btf/sched_switch): TYPE_EXISTS and TYPE_SIZE of kernel types
 * (struct, typedef, union, enum) and of a type no kernel has, whose size is
 * asked for behind its existence check (type-based relocations of a missing
 * type become 0, not poison). A kernel struct's size guards a read. */
#include "core.h"

typedef int pid_t;

struct sched_entity {
	u64 vruntime;
} __pai;

struct task_struct {
	int pid;
	struct sched_entity se;
} __pai;

union bpf_attr {
	u32 map_type;
};

enum pid_type {
	PIDTYPE_PID,
};

struct btfkit_no_such_type {
	int x;
};

SEC("tp_btf/sched_switch")
int type_info(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	int r = type_exists(struct task_struct) + type_exists(pid_t) * 2 + type_exists(union bpf_attr) * 4 +
		type_exists(enum pid_type) * 8 + type_exists(struct btfkit_no_such_type) * 16;

	r += type_size(struct task_struct) + type_size(pid_t) + type_size(union bpf_attr) + type_size(enum pid_type);
	if (type_exists(struct btfkit_no_such_type))
		r += type_size(struct btfkit_no_such_type);
	if (type_size(struct sched_entity) >= 8)
		r += (int)prev->se.vruntime;
	return r + prev->pid;
}

LICENSE_GPL;
