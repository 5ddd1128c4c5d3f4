/* Target BTF where kernel names exist only as forward declarations: a local
 * struct never takes a FWD as a candidate (different kind), but a local
 * typedef does take the target typedef task_t, and matching a field access
 * through it reaches a FWD of unknown size, an error that fails the object.
 * struct path is complete, with dentry only forward-declared behind its
 * pointer (TYPE_MATCHES accepts that). */
struct task_struct;
struct sk_buff;
struct dentry;
union bpf_attr;

typedef struct task_struct task_t;

struct path {
	void *mnt;
	struct dentry *dentry;
};

struct fwd_all {
	struct task_struct *t;
	struct sk_buff *s;
	union bpf_attr *a;
	task_t *tt;
	struct path p;
};

struct fwd_all fwd_all_types __attribute__((used));
