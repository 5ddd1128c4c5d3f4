/* A real ambiguity: vmlinux has two struct syscall_tp_t (24 and 64 bytes).
 * syscall_nr sits at the same offset in both (agreement, patched), but
 * TYPE_SIZE differs ("relocation decision ambiguity"), which fails the
 * object; the later program is never relocated by libbpf. */
#include "core.h"

struct syscall_tp_t {
	int syscall_nr;
} __pai;

struct task_struct {
	int pid;
} __pai;

SEC("tp/amb/agree")
int amb_agree(void *ctx)
{
	return (int)((struct syscall_tp_t *)ctx)->syscall_nr;
}

SEC("tp/amb/size")
int amb_size(void *ctx)
{
	return type_size(struct syscall_tp_t);
}

SEC("tp/amb/later")
int amb_later(void *ctx)
{
	return ((struct task_struct *)ctx)->pid;
}

LICENSE_GPL;
