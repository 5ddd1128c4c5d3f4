/* CO-RE field relocations: member offsets through nested structs, unions and
 * arrays, every __builtin_preserve_field_info kind on bitfields, and several
 * programs and subprograms spread over more than one ELF section. */
#define SEC(name) __attribute__((section(name), used))
#define __noinline __attribute__((noinline))

typedef unsigned int u32;
typedef unsigned long long u64;

struct list_head {
	struct list_head *next, *prev;
} __attribute__((preserve_access_index));

struct cred {
	u32 uid;
	u32 gid;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	unsigned int flags: 3;
	int prio: 9;
	u64 wide: 40;
	const struct cred *cred;
	struct task_struct *parent;
	struct list_head children;
	union {
		u32 as_u32;
		char as_bytes[4];
	} u;
	char comm[16];
	u64 counters[4][2];
} __attribute__((preserve_access_index));

static __noinline u64 read_bits(struct task_struct *t)
{
	u64 r = 0;

	r += __builtin_preserve_field_info(t->flags, 0); /* byte offset */
	r += __builtin_preserve_field_info(t->flags, 1); /* byte size */
	r += __builtin_preserve_field_info(t->flags, 2); /* exists */
	r += __builtin_preserve_field_info(t->prio, 3);  /* signed */
	r += __builtin_preserve_field_info(t->wide, 4);  /* lshift */
	r += __builtin_preserve_field_info(t->wide, 5);  /* rshift */
	return r;
}

__noinline int global_helper(struct task_struct *t)
{
	return t->parent->cred->gid + t->u.as_bytes[2];
}

SEC("kprobe/do_exit")
int on_exit(struct task_struct *t)
{
	int x = t->pid + t->parent->tgid;

	x += t->cred->uid;
	x += t->comm[7];
	x += t->counters[3][1];
	x += t->children.next->prev != 0;
	return x + (int)read_bits(t) + global_helper(t);
}

SEC("tracepoint/sched/sched_switch")
int on_switch(struct task_struct *t)
{
	return t->parent->parent->pid + (int)read_bits(t->parent);
}

char LICENSE[] SEC("license") = "GPL";
