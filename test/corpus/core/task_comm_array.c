/* Array elements inside a struct: constant indices into task_struct.comm
 * (LDX offsets) and the address of an element taken with
 * __builtin_preserve_access_index (an ALU add whose immediate is
 * relocated), plus FIELD_BYTE_SIZE of the whole array and of one element. */
#include "core.h"

struct task_struct {
	int pid;
	char comm[16];
} __pai;

SEC("tp/task/task_rename")
int comm_elems(void *ctx)
{
	struct task_struct *t = ctx;

	return t->comm[0] + t->comm[7] + t->comm[15];
}

SEC("tp/task/task_newtask")
int comm_addr(void *ctx)
{
	struct task_struct *t = ctx;
	const char *p = __builtin_preserve_access_index(&t->comm[3]);

	return *(volatile const char *)p + field_size(t->comm) + field_size(t->comm[1]) + field_off(t->comm[2]);
}

LICENSE_GPL;
