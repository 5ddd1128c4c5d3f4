/* fields_are_compat at work: an int where the kernel has an enum
 * (incompatible), an enum where it has a u32 (incompatible), a u64 where it
 * has char[16] (incompatible), a char[8] where it has char[16] (compatible:
 * dimensions are ignored, but the index is checked against the target's
 * 16), and an index past the target's bound. */
#include "core.h"

enum bpf_map_type___x {
	BTFKIT_MT_X,
};

struct bpf_map {
	int map_type;
	enum bpf_map_type___x key_size;
	u64 name;
} __pai;

struct bpf_map___arr {
	char name[8];
} __pai;

struct bpf_map___big {
	char name[32];
} __pai;

SEC("tp/mismatch/kinds")
int mismatch_kinds(void *ctx)
{
	struct bpf_map *m = ctx;

	return m->map_type + m->key_size + (int)m->name;
}

SEC("tp/mismatch/arrays")
int mismatch_arrays(void *ctx)
{
	return ((struct bpf_map___arr *)ctx)->name[5] + ((struct bpf_map___big *)ctx)->name[20] +
	       ((struct bpf_map___big *)ctx)->name[15];
}

LICENSE_GPL;
