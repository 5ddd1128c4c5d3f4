/* sock_common's addresses and ports live in anonymous unions of anonymous
 * structs. One local definition mirrors that nesting (so the access strings
 * carry the anonymous steps), another flavor is flat; both must land on the
 * same target offsets. */
#include "core.h"

typedef u32 __be32;
typedef u16 __be16;

struct sock_common {
	union {
		u64 skc_addrpair;
		struct {
			__be32 skc_daddr;
			__be32 skc_rcv_saddr;
		};
	};
	union {
		u32 skc_hash;
		u16 skc_u16hashes[2];
	};
	union {
		u32 skc_portpair;
		struct {
			__be16 skc_dport;
			u16 skc_num;
		};
	};
	unsigned short skc_family;
	volatile unsigned char skc_state;
} __pai;

struct sock_common___flat {
	__be32 skc_daddr;
	__be32 skc_rcv_saddr;
	__be16 skc_dport;
	u16 skc_num;
	unsigned short skc_family;
} __pai;

struct sock {
	struct sock_common __sk_common;
} __pai;

SEC("tp/sock/nested")
int sock_nested(void *ctx)
{
	struct sock *sk = ctx;

	return sk->__sk_common.skc_daddr + sk->__sk_common.skc_rcv_saddr + sk->__sk_common.skc_dport +
	       sk->__sk_common.skc_num + sk->__sk_common.skc_family + sk->__sk_common.skc_state +
	       sk->__sk_common.skc_u16hashes[1];
}

SEC("tp/sock/flat")
int sock_flat(void *ctx)
{
	struct sock_common___flat *c = ctx;

	return c->skc_daddr + c->skc_rcv_saddr + c->skc_dport + c->skc_num + c->skc_family;
}

LICENSE_GPL;
