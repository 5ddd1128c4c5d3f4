/* A 60-bit bitfield that target v2 packs at bit 8, so it spans 9 bytes:
 * libbpf cannot pick a load size ("can't be satisfied for bitfield") and
 * fails the object; offset of the same field in v1 is fine. */
#include "core.h"

struct btfkit_wide {
	u64 wide: 60;
} __pai;

SEC("tp/wide/read")
int wide_read(void *ctx)
{
	return (int)read_bitfield((struct btfkit_wide *)ctx, wide);
}

LICENSE_GPL;
