/* FIELD_BYTE_SIZE of arrays, array elements, pointers, scalars, a struct
 * member (kuid_t) and an inline struct (path), across several kernel
 * structs. */
#include "core.h"

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t uid;
	kuid_t euid;
} __pai;

struct path {
	void *mnt;
	void *dentry;
} __pai;

struct file {
	struct path f_path;
	unsigned int f_flags;
	long long f_pos;
} __pai;

struct task_struct {
	int pid;
	u64 start_time;
	char comm[16];
	void *mm;
	const struct cred *cred;
} __pai;

SEC("tp/size/task")
int sizes_task(void *ctx)
{
	struct task_struct *t = ctx;

	return field_size(t->pid) + field_size(t->start_time) + field_size(t->comm) + field_size(t->comm[5]) +
	       field_size(t->mm) + field_size(t->cred);
}

SEC("tp/size/other")
int sizes_other(void *ctx)
{
	struct file *f = ctx;
	struct cred *c = ctx;

	return field_size(f->f_path) + field_size(f->f_path.dentry) + field_size(f->f_flags) + field_size(f->f_pos) +
	       field_size(c->uid) + field_size(c->euid.val);
}

LICENSE_GPL;
