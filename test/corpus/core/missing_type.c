/* A local struct and enum that no target defines: field loads and
 * offsets are poisoned, FIELD_EXISTS, TYPE_EXISTS, TYPE_SIZE and
 * TYPE_ID_TARGET yield 0, ENUMVAL_EXISTS 0 and ENUMVAL_VALUE poisoned. */
#include "core.h"

struct btfkit_no_such_type {
	int a;
	long b;
} __pai;

enum btfkit_no_such_enum {
	BTFKIT_NSE_A = 5,
};

SEC("tp/notype/fields")
int notype_fields(void *ctx)
{
	struct btfkit_no_such_type *p = ctx;

	return p->a + (int)p->b + field_off(p->b) + field_exists(p->a);
}

SEC("tp/notype/types")
u64 notype_types(void *ctx)
{
	return type_exists(struct btfkit_no_such_type) + type_size(struct btfkit_no_such_type) +
	       type_id_target(struct btfkit_no_such_type) + enum_exists(enum btfkit_no_such_enum, BTFKIT_NSE_A) +
	       enum_value(enum btfkit_no_such_enum, BTFKIT_NSE_A);
}

LICENSE_GPL;
