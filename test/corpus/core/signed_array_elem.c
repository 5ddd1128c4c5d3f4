/* FIELD_SIGNED on an array element (task_struct.comm[0]). libbpf computes
 * only offset and size for array accessors and fails the relocation, which
 * fails the whole object: the second program's record is never processed. */
#include "core.h"

struct task_struct {
	int pid;
	char comm[16];
} __pai;

SEC("tp/arr/signed")
int arr_signed(void *ctx)
{
	return field_signed(((struct task_struct *)ctx)->comm[0]);
}

SEC("tp/arr/after")
int arr_after(void *ctx)
{
	return ((struct task_struct *)ctx)->pid;
}

LICENSE_GPL;
