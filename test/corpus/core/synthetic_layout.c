/* The btfkit_obj struct against the small targets: fields moved, widened
 * (unsigned: load size adjusted; signed: poisoned), a renamed member read
 * through two flavors guarded by FIELD_EXISTS, an inline struct whose
 * members moved, and a type that v2 no longer has. Every vmlinux lacks
 * these types (all poisoned or 0). */
#include "core.h"

struct btfkit_inner {
	int a;
	int b;
} __pai;

struct btfkit_obj {
	int id;
	u32 flags;
	u16 small;
	char name[8];
	struct btfkit_inner inner;
	u64 tail;
} __pai;

struct btfkit_obj___v1 {
	long renamed_old;
} __pai;

struct btfkit_obj___v2 {
	long renamed_new;
} __pai;

struct btfkit_gone {
	int x;
} __pai;

SEC("tp/synth/fields")
int synth_fields(void *ctx)
{
	struct btfkit_obj *o = ctx;

	return o->id + o->flags + o->small + o->name[3] + o->inner.a + o->inner.b + (int)o->tail;
}

SEC("tp/synth/renamed")
int synth_renamed(void *ctx)
{
	long v = 0;

	if (field_exists(((struct btfkit_obj___v2 *)ctx)->renamed_new))
		v = ((struct btfkit_obj___v2 *)ctx)->renamed_new;
	else
		v = ((struct btfkit_obj___v1 *)ctx)->renamed_old;
	return (int)v;
}

SEC("tp/synth/gone")
int synth_gone(void *ctx)
{
	return ((struct btfkit_gone *)ctx)->x + type_exists(struct btfkit_gone) + type_size(struct btfkit_obj) +
	       (int)type_id_target(struct btfkit_gone);
}

LICENSE_GPL;
