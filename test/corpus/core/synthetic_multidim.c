/* Two- and three-dimensional arrays: every index is checked against the
 * target's dimension at that level (v2 has cells[4][3], cube[2][2][8]), so
 * some accesses match, some are out of range (poisoned). Also the address of
 * a whole row and FIELD_BYTE_SIZE of a row and of the whole array. */
#include "core.h"

struct btfkit_grid {
	int cells[3][4];
	u8 cube[2][3][4];
} __pai;

SEC("tp/grid/cells")
int grid_cells(void *ctx)
{
	struct btfkit_grid *g = ctx;

	return g->cells[0][0] + g->cells[2][1] + g->cells[1][3] + field_size(g->cells[1]) + field_size(g->cells) +
	       (int)(long)__builtin_preserve_access_index(&g->cells[2]);
}

SEC("tp/grid/cube")
int grid_cube(void *ctx)
{
	struct btfkit_grid *g = ctx;

	return g->cube[1][2][3] + g->cube[0][1][1] + g->cube[1][0][2] + field_off(g->cube[1][1]);
}

LICENSE_GPL;
