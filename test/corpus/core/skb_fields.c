/* sk_buff: scalar fields whose offsets moved between 6.1 and 6.18 (mark,
 * protocol, head, data), pointers to other kernel structs (dev->ifindex,
 * sk->__sk_common.skc_family), and a __be16 through a typedef. */
#include "core.h"

typedef u16 __be16;

struct net_device {
	int ifindex;
	unsigned int mtu;
} __pai;

struct sock_common {
	unsigned short skc_family;
} __pai;

struct sock {
	struct sock_common __sk_common;
} __pai;

struct sk_buff {
	struct net_device *dev;
	struct sock *sk;
	unsigned int len;
	unsigned int data_len;
	u32 priority;
	u32 mark;
	__be16 protocol;
	unsigned char *head;
	unsigned char *data;
} __pai;

SEC("tp/skb/scalars")
int skb_scalars(void *ctx)
{
	struct sk_buff *skb = ctx;

	return skb->len + skb->data_len + skb->priority + skb->mark + skb->protocol + (int)(skb->data - skb->head);
}

SEC("tp/skb/pointers")
int skb_pointers(void *ctx)
{
	struct sk_buff *skb = ctx;

	return skb->dev->ifindex + skb->dev->mtu + skb->sk->__sk_common.skc_family;
}

LICENSE_GPL;
