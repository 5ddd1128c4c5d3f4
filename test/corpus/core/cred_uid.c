/* kuid_t is a typedef of an anonymous struct in the kernel: cred->uid.val
 * goes through a named member of anonymous struct type on both sides.
 * Also a flavor that declares uid as a plain u32 (incompatible: struct in
 * the target) and the const pointer task_struct.cred. */
#include "core.h"

typedef struct {
	unsigned int val;
} kuid_t;

typedef struct {
	unsigned int val;
} kgid_t;

struct cred {
	kuid_t uid;
	kgid_t gid;
	kuid_t euid;
} __pai;

struct cred___plain {
	u32 uid;
} __pai;

struct task_struct {
	const struct cred *cred;
} __pai;

SEC("tp/cred/ids")
int cred_ids(void *ctx)
{
	const struct cred *c = ((struct task_struct *)ctx)->cred;

	return c->uid.val + c->gid.val + c->euid.val;
}

SEC("tp/cred/plain")
int cred_plain(void *ctx)
{
	struct cred___plain *c = ctx;

	return c->uid + field_exists(c->uid);
}

LICENSE_GPL;
