/* Relocations whose local root type is a typedef: field accesses through a
 * typedef'd struct pointer (clang records the typedef as the root, so the
 * candidates are kernel typedefs of that name: none for task_t, one for
 * atomic_t), and type relocations on typedefs of ints and of structs. */
#include "core.h"

struct task_struct {
	int pid;
} __pai;

typedef struct task_struct task_t;

typedef struct {
	int counter;
} __pai atomic_t;

typedef struct {
	long counter;
} __pai atomic64_t;

typedef unsigned int gfp_t;

SEC("tp/typedef/fields")
int typedef_fields(void *ctx)
{
	task_t *t = ctx;
	atomic_t *a = ctx;
	atomic64_t *b = ctx;

	return t->pid + a->counter + (int)b->counter + field_size(b->counter);
}

SEC("tp/typedef/types")
int typedef_types(void *ctx)
{
	return type_size(task_t) + type_exists(atomic64_t) * 2 + type_size(gfp_t) + type_exists(gfp_t) +
	       (int)type_id_target(atomic_t);
}

LICENSE_GPL;
