/* Modifiers on both sides: const and volatile members, a const pointer to
 * a const struct, and a volatile array; libbpf skips modifiers and typedefs
 * when comparing member types. */
#include "core.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
} __pai;

struct task_struct {
	const volatile int pid;
	volatile unsigned int __state;
	const struct task_struct *const real_parent;
	struct list_head children;
	const volatile char comm[16];
} __pai;

SEC("tp/cv/fields")
int cv_fields(void *ctx)
{
	const struct task_struct *t = ctx;

	return t->pid + t->__state + t->real_parent->pid + t->comm[2] + (t->children.next->prev != 0);
}

LICENSE_GPL;
