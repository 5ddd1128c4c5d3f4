/* Loadable (kprobe/do_exit): bpf_probe_read_kernel of CO-RE-computed
 * addresses (__builtin_preserve_access_index(&t->field)) starting from
 * bpf_get_current_task(): a pointer chain (real_parent->tgid), a nested
 * struct member (se.vruntime), an array element (comm[2]), with sizes from
 * FIELD_BYTE_SIZE. */
#include "core.h"

static long (*probe_read_kernel)(void *dst, u32 size, const void *src) = (void *)113;
static u64 (*get_current_task)(void) = (void *)35;

struct sched_entity {
	u64 vruntime;
} __pai;

struct task_struct {
	int tgid;
	struct sched_entity se;
	struct task_struct *real_parent;
	char comm[16];
} __pai;

SEC("kprobe/do_exit")
int probe_reads(void *ctx)
{
	struct task_struct *t = (void *)get_current_task();
	struct task_struct *parent = 0;
	int tgid = 0;
	u64 vr = 0;
	char c = 0;

	probe_read_kernel(&parent, sizeof(parent), __builtin_preserve_access_index(&t->real_parent));
	probe_read_kernel(&tgid, field_size(parent->tgid), __builtin_preserve_access_index(&parent->tgid));
	probe_read_kernel(&vr, sizeof(vr), __builtin_preserve_access_index(&t->se.vruntime));
	probe_read_kernel(&c, 1, __builtin_preserve_access_index(&t->comm[2]));
	return tgid + (int)vr + c;
}

LICENSE_GPL;
