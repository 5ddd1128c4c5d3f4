/* TYPE_MATCHES (clang >= 15): a struct that is a subset of the kernel's,
 * one whose member has the wrong type, an enum with a subset of the
 * enumerators and one with an unknown enumerator, an int typedef of the
 * wrong size, and a union. */
#include "core.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

struct list_head___bad {
	int next;
};

struct rlimit {
	unsigned long rlim_cur;
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
};

enum pid_type___extra {
	PIDTYPE_PID___extra,
	PIDTYPE_BTFKIT___extra,
};

typedef int pid_t;
typedef long long pid_t___wide;

union bpf_attr {
	struct {
		u32 map_type;
		u32 key_size;
	};
};

SEC("tp/match/structs")
int match_structs(void *ctx)
{
	return type_matches(struct list_head) + type_matches(struct list_head___bad) * 2 +
	       type_matches(struct rlimit) * 4 + type_matches(union bpf_attr) * 8;
}

SEC("tp/match/scalars")
int match_scalars(void *ctx)
{
	return type_matches(enum pid_type) + type_matches(enum pid_type___extra) * 2 + type_matches(pid_t) * 4 +
	       type_matches(pid_t___wide) * 8;
}

LICENSE_GPL;
