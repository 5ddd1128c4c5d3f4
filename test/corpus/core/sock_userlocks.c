/* A member that was a bitfield in one kernel and a whole byte in another:
 * sock.sk_userlocks (4 bits in 6.1, a u8 since 6.12) and tcp_sock.repair.
 * Offset, size and shifts switch between the bitfield and plain rules. */
#include "core.h"

struct sock {
	u8 sk_userlocks: 4;
	u8 sk_gso_disabled: 1;
	u8 sk_kern_sock: 1;
	u8 sk_shutdown;
} __pai;

struct tcp_sock {
	u8 repair: 1;
	u8 nonagle: 4;
	u8 thin_lto: 1;
	u8 is_mptcp;
} __pai;

SEC("tp/sock/userlocks")
int sock_userlocks(void *ctx)
{
	struct sock *sk = ctx;

	return (int)(read_bitfield(sk, sk_userlocks) + read_bitfield(sk, sk_gso_disabled) + read_bitfield(sk, sk_kern_sock)) +
	       sk->sk_shutdown;
}

SEC("tp/sock/tcp")
int tcp_bits(void *ctx)
{
	struct tcp_sock *tp = ctx;

	return (int)(read_bitfield(tp, repair) + read_bitfield(tp, nonagle) + read_bitfield(tp, thin_lto)) + tp->is_mptcp;
}

LICENSE_GPL;
