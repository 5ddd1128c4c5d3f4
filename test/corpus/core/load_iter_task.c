/* Loadable (iter/task): the iterator context struct bpf_iter__task declared
 * locally with preserve_access_index (a CO-RE offset on the ctx load), the
 * NULL check the verifier requires, then task fields. An iterator returns
 * 0 or 1. */
#include "core.h"

struct bpf_iter_meta {
	void *seq;
	u64 session_id;
	u64 seq_num;
} __pai;

struct task_struct {
	int pid;
	char comm[16];
} __pai;

struct bpf_iter__task {
	struct bpf_iter_meta *meta;
	struct task_struct *task;
} __pai;

SEC("iter/task")
int iter_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;

	if (!t)
		return 0;
	return (t->pid + t->comm[0] + (int)ctx->meta->seq_num) & 1;
}

LICENSE_GPL;
