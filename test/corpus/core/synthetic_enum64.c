/* Enum64 (clang >= 15) against the small targets: values above 32 bits in
 * ldimm64, a value that became small in v2 (still an enum64 there), one
 * present only in v2 near 2^64, and TYPE_MATCHES of the enum (sizes equal,
 * enumerator names compared). */
#include "core.h"

enum btfkit_big {
	BTFKIT_BIG_LOW = 1,
	BTFKIT_BIG_HIGH = 1ULL << 40,
	BTFKIT_BIG_TOP = 0xfedcba9876543210ULL,
};

SEC("tp/senum64/values")
u64 senum64_values(void *ctx)
{
	return enum_value(enum btfkit_big, BTFKIT_BIG_LOW) + enum_value(enum btfkit_big, BTFKIT_BIG_HIGH) * 3 +
	       enum_value(enum btfkit_big, BTFKIT_BIG_TOP) * 5 + enum_exists(enum btfkit_big, BTFKIT_BIG_TOP) +
	       type_matches(enum btfkit_big);
}

LICENSE_GPL;
