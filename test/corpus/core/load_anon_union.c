/* Loadable (tp_btf/sched_switch): fields inside anonymous unions and
 * anonymous structs of the kernel (task_struct.rcu_users, cred.non_rcu,
 * mm_struct's anonymous struct with map_count and mm_users), declared
 * locally as plain members: the target access path goes through the
 * anonymous members. */
#include "core.h"

typedef struct {
	int counter;
} atomic_t;

typedef struct {
	atomic_t refs;
} refcount_t;

typedef struct {
	unsigned int val;
} kuid_t;

struct cred {
	kuid_t uid;
	int non_rcu;
} __pai;

struct mm_struct {
	atomic_t mm_users;
	int map_count;
	unsigned long total_vm;
} __pai;

struct task_struct {
	refcount_t rcu_users;
	const struct cred *cred;
	struct mm_struct *mm;
} __pai;

SEC("tp_btf/sched_switch")
int anon_members(unsigned long long *ctx)
{
	struct task_struct *prev = (void *)ctx[1];
	struct mm_struct *mm = prev->mm;

	return prev->rcu_users.refs.counter + prev->cred->uid.val + prev->cred->non_rcu + mm->map_count +
	       mm->mm_users.counter + (int)mm->total_vm;
}

LICENSE_GPL;
