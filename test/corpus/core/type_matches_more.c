/* TYPE_MATCHES (clang >= 15) where pointers and names matter: a struct
 * pointer member matched by a target forward declaration or struct behind
 * the pointer, a function-pointer typedef with matching and mismatching
 * prototypes, a struct with fewer members in the kernel than locally, and a
 * missing type. */
#include "core.h"

struct file;

struct path {
	void *mnt;
	struct dentry *dentry;
};

struct qstr {
	union {
		struct {
			u32 hash;
			u32 len;
		};
		u64 hash_len;
	};
	const unsigned char *name;
};

struct rlimit___more {
	unsigned long rlim_cur;
	unsigned long rlim_max;
	unsigned long rlim_btfkit;
};

typedef u64 (*bpf_callback_t)(u64, u64, u64, u64, u64);
typedef u64 (*bpf_callback_t___int)(int, u64, u64, u64, u64);

struct btfkit_matchless { int x; };

SEC("tp/match/ptrs")
int match_ptrs(void *ctx)
{
	return type_matches(struct path) + type_matches(struct qstr) * 2 + type_matches(struct rlimit___more) * 4;
}

SEC("tp/match/funcs")
int match_funcs(void *ctx)
{
	return type_matches(bpf_callback_t) + type_matches(bpf_callback_t___int) * 2 +
	       type_matches(struct btfkit_matchless) * 4;
}

LICENSE_GPL;
