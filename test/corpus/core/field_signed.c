/* FIELD_SIGNED on int, unsigned int, unsigned short, a typedef'd signed
 * 64-bit type (loff_t) and enum members (bpf_map.map_type, and a local
 * signed enum where the kernel has a u32, which does not match). libbpf 1.1
 * takes signedness from INT encoding bits, or from an enum's kflag. (clang
 * refuses SIGNED on pointers and structs.) */
#include "core.h"

typedef long long loff_t;

enum bpf_map_type {
	BPF_MAP_TYPE_UNSPEC = 0,
};

enum btfkit_signed_enum {
	BTFKIT_SE_NEG = -1,
};

struct bpf_map {
	enum bpf_map_type map_type;
	u32 key_size;
} __pai;

struct bpf_map___senum {
	enum btfkit_signed_enum map_flags;
} __pai;

struct inode {
	unsigned short i_mode;
	loff_t i_size;
} __pai;

struct task_struct {
	int pid;
	unsigned int flags;
	char comm[16];
} __pai;

SEC("tp/signed/ints")
int signed_ints(void *ctx)
{
	struct task_struct *t = ctx;
	struct inode *i = ctx;

	return field_signed(t->pid) + field_signed(t->flags) * 2 + field_signed(i->i_mode) * 4 +
	       field_signed(i->i_size) * 8;
}

SEC("tp/signed/other")
int signed_other(void *ctx)
{
	struct bpf_map *m = ctx;
	struct bpf_map___senum *s = ctx;

	return field_signed(m->map_type) + field_signed(m->key_size) * 2 + field_signed(s->map_flags) * 4;
}

LICENSE_GPL;
