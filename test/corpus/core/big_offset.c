/* pglist_data.node_id sits beyond 32767 bytes on x86-64 (node_zones
 * embedded), so the relocated LDX offset does not fit: libbpf fails the
 * object there ("value too big"), but not on arm64 or s390x, where the
 * struct is small. An ALU offset of the same field has no such limit. */
#include "core.h"

struct pglist_data {
	int node_id;
	int kswapd_order;
} __pai;

SEC("tp/big/alu")
int big_alu(void *ctx)
{
	return field_off(((struct pglist_data *)ctx)->kswapd_order);
}

SEC("tp/big/ldx")
int big_ldx(void *ctx)
{
	return ((struct pglist_data *)ctx)->node_id;
}

LICENSE_GPL;
