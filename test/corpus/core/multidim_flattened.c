/* Multi-dimensional arrays against kernels whose BTF (pahole) flattens
 * them: psi_group.total is u64[2][6] in C but u64[12] in vmlinux BTF, so a
 * two-index access has no target match (poisoned) while a one-dimensional
 * flavor matches. In 7.1 psi_group is an empty struct. */
#include "core.h"

struct psi_group {
	u64 avg_total[6];
	u64 total[2][6];
	unsigned long avg[6][3];
} __pai;

struct psi_group___flat {
	u64 total[12];
	unsigned long avg[18];
} __pai;

SEC("tp/psi/twod")
int psi_twod(void *ctx)
{
	struct psi_group *g = ctx;

	return (int)g->total[1][3] + (int)g->avg[2][1] + (int)g->avg_total[4] + field_exists(g->total[1][5]);
}

SEC("tp/psi/flat")
int psi_flat(void *ctx)
{
	struct psi_group___flat *g = ctx;

	return (int)g->total[9] + (int)g->avg[7] + field_size(g->total) + field_off(g->avg[17]);
}

LICENSE_GPL;
