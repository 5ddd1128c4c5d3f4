/* Flexible arrays: the local btfkit_buf.data[] allows any index; target v1
 * has data[4] (indices >= 4 do not match), v2 has data[] (anything
 * matches). A local fixed-size flavor reads index 1 and 3. */
#include "core.h"

struct btfkit_buf {
	int len;
	int data[];
} __pai;

struct btfkit_buf___fixed {
	int len;
	int data[4];
} __pai;

SEC("tp/flex/local")
int flex_local(void *ctx)
{
	struct btfkit_buf *b = ctx;

	return b->len + b->data[0] + b->data[3] + b->data[6] + field_off(b->data[9]);
}

SEC("tp/flex/fixed")
int flex_fixed(void *ctx)
{
	struct btfkit_buf___fixed *b = ctx;

	return b->data[1] + b->data[3] + field_size(b->data);
}

LICENSE_GPL;
