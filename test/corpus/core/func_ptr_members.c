/* Function-pointer members of struct file_operations (llseek, read,
 * read_iter, whose offsets moved in 6.12) and existence of a member removed
 * long ago (ioctl); a flavor declaring read as an int is incompatible. */
#include "core.h"

struct file;

struct file_operations {
	long long (*llseek)(struct file *, long long, int);
	long (*read)(struct file *, char *, unsigned long, long long *);
	long (*read_iter)(void *, void *);
	int (*ioctl)(void *, unsigned int, unsigned long);
} __pai;

struct file_operations___int {
	int read;
} __pai;

SEC("tp/fops/ptrs")
int fops_ptrs(void *ctx)
{
	const struct file_operations *f = ctx;

	return (f->llseek != 0) + (f->read != 0) + (f->read_iter != 0) + field_exists(f->ioctl) + field_off(f->read_iter) +
	       field_size(f->read);
}

SEC("tp/fops/int")
int fops_int(void *ctx)
{
	return ((struct file_operations___int *)ctx)->read + field_exists(((struct file_operations___int *)ctx)->read);
}

LICENSE_GPL;
