/* Loadable (tp_btf/sched_switch): TYPE_ID_LOCAL and TYPE_ID_TARGET
 * (ldimm64 of a BTF id) of kernel types, and TYPE_ID_TARGET of a type no
 * kernel has behind TYPE_EXISTS (the ldimm64 becomes 0, dead code). */
#include "core.h"

struct task_struct {
	int pid;
} __pai;

struct file {
	unsigned int f_flags;
};

typedef int pid_t;

struct btfkit_missing_type {
	int y;
};

SEC("tp_btf/sched_switch")
int type_ids(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	u64 r = type_id_target(struct task_struct) + type_id_target(struct file) + type_id_target(pid_t) +
		type_id_local(struct task_struct) + type_id_local(struct btfkit_missing_type);

	if (type_exists(struct btfkit_missing_type))
		r += type_id_target(struct btfkit_missing_type);
	return (int)r + prev->pid;
}

LICENSE_GPL;
