/* Two target enums named btfkit_color (one flavored) agree on GREEN but not
 * on RED: the GREEN relocation succeeds with two matching candidates, the
 * RED one is a relocation decision ambiguity and fails the object. */
#include "core.h"

enum btfkit_color {
	BTFKIT_RED = 1,
	BTFKIT_GREEN = 2,
};

SEC("tp/ambe/green")
int ambe_green(void *ctx)
{
	return enum_value(enum btfkit_color, BTFKIT_GREEN) + enum_exists(enum btfkit_color, BTFKIT_RED);
}

SEC("tp/ambe/red")
int ambe_red(void *ctx)
{
	return enum_value(enum btfkit_color, BTFKIT_RED);
}

LICENSE_GPL;
