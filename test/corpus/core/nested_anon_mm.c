/* Fields that the kernel keeps inside an anonymous struct of mm_struct
 * (randomized-layout block): the target match must descend into anonymous
 * members, while the local definition is flat. */
#include "core.h"

struct mm_struct {
	unsigned long mmap_base;
	void *pgd;
	int map_count;
	unsigned long total_vm;
	unsigned long start_stack;
	unsigned long arg_start;
	unsigned long arg_end;
} __pai;

struct task_struct {
	struct mm_struct *mm;
} __pai;

SEC("tp/mm/args")
int mm_args(void *ctx)
{
	struct mm_struct *mm = ((struct task_struct *)ctx)->mm;

	return (int)(mm->arg_end - mm->arg_start) + (int)mm->start_stack;
}

SEC("tp/mm/misc")
int mm_misc(void *ctx)
{
	struct mm_struct *mm = ((struct task_struct *)ctx)->mm;

	return mm->map_count + (int)mm->total_vm + (int)mm->mmap_base + (mm->pgd != 0);
}

LICENSE_GPL;
