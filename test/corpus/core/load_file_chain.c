/* Loadable (tp_btf/sched_switch): a chain of BTF pointers from the task to
 * its executable (mm->exe_file->f_path.dentry->d_name). file.f_path and
 * dentry.d_name sit in anonymous unions on 6.18 (plain members on older
 * kernels), qstr.len in an anonymous struct inside an anonymous union,
 * inode.i_nlink in an anonymous union. */
#include "core.h"

struct qstr {
	u32 len;
	u64 hash_len;
	const unsigned char *name;
} __pai;

struct inode {
	unsigned long i_ino;
	unsigned int i_nlink;
} __pai;

struct dentry {
	struct qstr d_name;
	struct inode *d_inode;
} __pai;

struct path {
	struct dentry *dentry;
} __pai;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
} __pai;

struct mm_struct {
	struct file *exe_file;
} __pai;

struct task_struct {
	struct mm_struct *mm;
} __pai;

SEC("tp_btf/sched_switch")
int exe_file(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct file *f = prev->mm->exe_file;
	struct dentry *d = f->f_path.dentry;

	return d->d_name.len + (int)d->d_name.hash_len + d->d_name.name[0] + (int)f->f_inode->i_ino +
	       f->f_inode->i_nlink + f->f_flags + (int)d->d_inode->i_ino;
}

LICENSE_GPL;
