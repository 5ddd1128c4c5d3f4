/* Target BTF "fake kernel": kernel type names with other shapes, so the
 * kernel-typed corpus programs meet outcomes the real kernels never give:
 * task_struct keeps the old `state`, nests pid in an anonymous union, has a
 * u64 flags and an 8-byte comm; cred.uid is a plain int (kuid_t readers no
 * longer match, plain ones do); bpf_map.map_type is a u32; bpf_map_type
 * has other values; psi_group keeps real two-dimensional arrays;
 * cgroup.ancestors is a fixed array that is not last; syscall_tp_t is
 * unique; task_t exists as a typedef; pid_t is 64-bit; sk_buff is missing. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct list_head {
	struct list_head *next, *prev;
};

struct cred {
	unsigned int uid;
	unsigned int gid;
};

struct mm_struct {
	unsigned long arg_start;
	unsigned long arg_end;
	unsigned long start_stack;
	unsigned long total_vm;
	int map_count;
};

struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

struct signal_struct {
	struct rlimit rlim[8];
	int nr_threads;
};

struct task_struct {
	long state;
	union {
		int pid;
		int tid_alias;
	};
	int tgid;
	u64 flags;
	unsigned int pad: 3, in_execve: 1, sched_reset_on_fork: 1;
	char comm[8];
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct mm_struct *mm;
	const struct cred *cred;
	struct list_head children;
	int prio;
	u64 start_time;
	struct signal_struct *signal;
};

typedef struct task_struct task_t;
typedef long pid_t;
typedef struct {
	int counter;
} atomic_t;

struct sock_common {
	unsigned short skc_family;
	u32 skc_daddr;
};

struct sock {
	struct sock_common __sk_common;
	u8 sk_userlocks: 4, sk_shutdown: 2;
};

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 100,
	BPF_MAP_TYPE_RINGBUF = 127,
	BPF_MAP_TYPE_ARRAY = 102,
};

struct bpf_map {
	u32 map_type;
	u32 key_size;
	char name[16];
};

struct psi_group {
	u64 total[2][6];
	unsigned long avg[6][3];
};

struct kernfs_node {
	u64 id;
};

struct cgroup {
	struct cgroup *ancestors[2];
	int level;
	struct kernfs_node *kn;
};

struct pglist_data {
	int node_id;
	int kswapd_order;
};

struct syscall_tp_t {
	unsigned long long regs;
	int syscall_nr;
	unsigned long ret;
};

struct perf_event_attr {
	u32 type;
	u32 disabled: 1, freq: 1, exclude_user: 1, __reserved_1: 29;
	u64 sample_period;
};

struct fake_kernel_all {
	struct task_struct t;
	struct mm_struct mm;
	struct cred cred;
	struct signal_struct sig;
	task_t tt;
	pid_t pid;
	atomic_t at;
	struct sock sk;
	enum bpf_map_type mt;
	struct bpf_map map;
	struct psi_group psi;
	struct cgroup cg;
	struct kernfs_node kn;
	struct pglist_data pg;
	struct syscall_tp_t sys;
	struct perf_event_attr attr;
};

struct fake_kernel_all fake_kernel_types __attribute__((used));
