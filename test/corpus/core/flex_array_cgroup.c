/* A flexible array member (cgroup.ancestors[], the last member): indices
 * beyond 0 are allowed both locally and in the target. Also cgroup->kn->id
 * and cgroup.level, and the removed cgroup.ancestor_ids[] flexible array. */
#include "core.h"

struct kernfs_node {
	u64 id;
} __pai;

struct cgroup {
	int level;
	struct kernfs_node *kn;
	struct cgroup *ancestors[];
} __pai;

struct cgroup___old {
	int level;
	u64 ancestor_ids[];
} __pai;

SEC("tp/cgroup/ancestors")
int cg_ancestors(void *ctx)
{
	struct cgroup *cg = ctx;

	return cg->level + (int)cg->ancestors[0]->kn->id + (int)cg->ancestors[3]->level;
}

SEC("tp/cgroup/old")
int cg_old(void *ctx)
{
	struct cgroup___old *cg = ctx;

	return (int)cg->ancestor_ids[2] + field_off(((struct cgroup *)ctx)->ancestors[5]) +
	       field_size(((struct cgroup *)ctx)->ancestors[1]);
}

LICENSE_GPL;
