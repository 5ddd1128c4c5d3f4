/* A chain through file, path, dentry, qstr and inode: an inline struct
 * member (f_path), qstr's anonymous union of an anonymous struct (hash/len
 * swap places on big-endian s390x), and inode fields of several sizes. */
#include "core.h"

struct super_block {
	unsigned long s_magic;
} __pai;

struct inode {
	unsigned short i_mode;
	struct super_block *i_sb;
	unsigned long i_ino;
	long long i_size;
} __pai;

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
} __pai;

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
} __pai;

struct path {
	void *mnt;
	struct dentry *dentry;
} __pai;

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_mode;
} __pai;

SEC("tp/file/inode")
int file_inode_fields(void *ctx)
{
	struct file *f = ctx;

	return f->f_inode->i_mode + (int)f->f_inode->i_ino + (int)f->f_inode->i_size + (int)f->f_inode->i_sb->s_magic +
	       f->f_mode;
}

SEC("tp/file/dentry")
int file_dentry(void *ctx)
{
	struct file *f = ctx;
	struct dentry *d = f->f_path.dentry;

	return d->d_name.len + d->d_name.hash + d->d_name.name[0] + (int)d->d_parent->d_name.hash_len +
	       d->d_inode->i_mode;
}

LICENSE_GPL;
