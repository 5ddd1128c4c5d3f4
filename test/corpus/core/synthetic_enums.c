/* enum btfkit_state against the small targets: values changed in v2, one
 * removed there (BTFKIT_STOP: value poisoned, exists 0), one only in v2
 * (BTFKIT_NEW), and a negative value (sign-extended to 64 bits). */
#include "core.h"

enum btfkit_state {
	BTFKIT_IDLE = 0,
	BTFKIT_RUN = 1,
	BTFKIT_STOP = 2,
	BTFKIT_NEW = 3,
	BTFKIT_NEG = -1,
};

SEC("tp/senum/values")
int senum_values(void *ctx)
{
	return enum_value(enum btfkit_state, BTFKIT_IDLE) + enum_value(enum btfkit_state, BTFKIT_RUN) * 3 +
	       enum_value(enum btfkit_state, BTFKIT_STOP) * 5 + enum_value(enum btfkit_state, BTFKIT_NEW) * 7 +
	       enum_value(enum btfkit_state, BTFKIT_NEG) * 9;
}

SEC("tp/senum/exists")
int senum_exists(void *ctx)
{
	return enum_exists(enum btfkit_state, BTFKIT_STOP) + enum_exists(enum btfkit_state, BTFKIT_NEW) * 2 +
	       enum_exists(enum btfkit_state, BTFKIT_NEG) * 4 + type_size(enum btfkit_state);
}

LICENSE_GPL;
