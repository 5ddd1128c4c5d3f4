/* u8 bitfields of sk_buff (pkt_type:3, cloned:1, nohdr:1, ip_summed:2) read
 * the relocatable way: byte offset, byte size, left and right shifts and
 * signedness all come from the target, including the big-endian s390x
 * bit numbering. */
#include "core.h"

struct sk_buff {
	u8 cloned: 1, nohdr: 1;
	u8 pkt_type: 3;
	u8 ip_summed: 2;
} __pai;

SEC("tp/skb/pkt_type")
int skb_pkt_type(void *ctx)
{
	struct sk_buff *skb = ctx;

	return (int)read_bitfield(skb, pkt_type);
}

SEC("tp/skb/flags")
int skb_flags(void *ctx)
{
	struct sk_buff *skb = ctx;

	return (int)(read_bitfield(skb, cloned) + read_bitfield(skb, nohdr) + read_bitfield(skb, ip_summed));
}

LICENSE_GPL;
