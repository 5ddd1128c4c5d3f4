/* A pointer used as an array: t[1].pid and &t[2] give access strings
 * whose first index is not 0, so the offset scales with the target's
 * sizeof(struct task_struct). Also an array of structs inside a struct
 * (signal_struct.rlim[7].rlim_cur). */
#include "core.h"

struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
} __pai;

struct signal_struct {
	int nr_threads;
	struct rlimit rlim[16];
} __pai;

struct task_struct {
	int pid;
	int tgid;
	struct signal_struct *signal;
} __pai;

SEC("tp/ptrarr/elems")
int ptrarr_elems(void *ctx)
{
	struct task_struct *t = ctx;

	return t[1].pid + t[2].tgid + (int)(long)__builtin_preserve_access_index(&t[3]);
}

SEC("tp/ptrarr/rlim")
int ptrarr_rlim(void *ctx)
{
	struct task_struct *t = ctx;

	return (int)t->signal->rlim[7].rlim_cur + (int)t->signal->rlim[15].rlim_max + t->signal->nr_threads;
}

LICENSE_GPL;
