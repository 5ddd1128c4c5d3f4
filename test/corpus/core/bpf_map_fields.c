/* struct bpf_map: an enum-typed member (map_type, compatible by enum name),
 * u32 members, the name[16] array, and a function pointer reached through
 * ops (bpf_map_ops.map_alloc), whose offsets moved in 6.18. */
#include "core.h"

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC,
};

struct bpf_map_ops {
	int (*map_alloc_check)(void *attr);
	void *(*map_alloc)(void *attr);
} __pai;

struct bpf_map {
	const struct bpf_map_ops *ops;
	enum bpf_map_type map_type;
	u32 key_size;
	u32 value_size;
	u32 max_entries;
	u32 map_flags;
	u32 id;
	char name[16];
} __pai;

SEC("tp/map/fields")
int map_fields(void *ctx)
{
	struct bpf_map *m = ctx;

	return m->map_type + m->key_size + m->value_size + m->max_entries + m->map_flags + m->id + m->name[0] + m->name[15];
}

SEC("tp/map/ops")
int map_ops(void *ctx)
{
	struct bpf_map *m = ctx;

	return (m->ops->map_alloc != 0) + (m->ops->map_alloc_check != 0) + field_off(m->ops->map_alloc);
}

LICENSE_GPL;
