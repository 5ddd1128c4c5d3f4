/* FIELD_EXISTS on fields present in every target, in some (file.f_version
 * until 6.1, file.f_count until 6.12, file.f_ref from 6.18), and in none
 * (task_struct.state, cgroup.ancestor_ids, a made-up name). Missing fields
 * yield 0, never poison. */
#include "core.h"

struct task_struct {
	int pid;
	long state;
	unsigned int __state;
	int btfkit_not_a_field;
} __pai;

struct file {
	u64 f_version;
	long f_count;
	struct { long refcnt; } f_ref;
	unsigned int f_flags;
} __pai;

struct cgroup {
	int level;
	u64 ancestor_ids[];
} __pai;

struct mm_struct {
	void *mmap;
	struct { void *ma_root; } mm_mt;
} __pai;

SEC("tp/exists/task")
int exists_task(void *ctx)
{
	struct task_struct *t = ctx;

	return field_exists(t->pid) * 1 + field_exists(t->state) * 2 + field_exists(t->__state) * 4 +
	       field_exists(t->btfkit_not_a_field) * 8;
}

SEC("tp/exists/file")
int exists_file(void *ctx)
{
	struct file *f = ctx;

	return field_exists(f->f_version) + field_exists(f->f_count) * 2 + field_exists(f->f_ref) * 4 +
	       field_exists(f->f_flags) * 8;
}

SEC("tp/exists/other")
int exists_other(void *ctx)
{
	struct cgroup *cg = ctx;
	struct mm_struct *mm = ctx;

	return field_exists(cg->level) + field_exists(cg->ancestor_ids) * 2 + field_exists(cg->ancestor_ids[1]) * 4 +
	       field_exists(mm->mmap) * 8 + field_exists(mm->mm_mt) * 16;
}

LICENSE_GPL;
