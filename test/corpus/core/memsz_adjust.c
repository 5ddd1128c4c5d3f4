/* Loads and stores whose local field size differs from the target's: an
 * unsigned local wider or narrower than an unsigned target field gets its
 * LDX/STX size rewritten (mem_sz), a signed one is poisoned ("accesses field
 * incorrectly"), and same-size fields are left alone. */
#include "core.h"

struct task_struct {
	u64 flags;           /* kernel: unsigned int -> mem_sz 8 -> 4 */
	u8 __state;          /* kernel: unsigned int -> mem_sz 1 -> 4 */
	long long prio;      /* kernel: int (signed) -> poisoned */
	u16 pid;             /* kernel: int (signed) -> poisoned */
	u64 start_time;      /* same size */
	unsigned int tgid;   /* same size, signedness differs: no check */
} __pai;

struct bpf_map {
	u64 max_entries;     /* kernel: u32 -> mem_sz 8 -> 4 */
	u16 map_flags;       /* kernel: u32 -> mem_sz 2 -> 4 */
	char key_size;       /* plain char: libbpf checks for encoding == SIGNED exactly */
	signed char value_size;
} __pai;

SEC("tp/memsz/loads")
int memsz_loads(void *ctx)
{
	struct task_struct *t = ctx;

	return (int)t->flags + t->__state + (int)t->prio + t->pid + (int)t->start_time + t->tgid;
}

SEC("tp/memsz/stores")
int memsz_stores(void *ctx)
{
	struct bpf_map *m = ctx;
	struct task_struct *t = ctx;

	m->max_entries = 7;
	m->map_flags = 3;
	m->key_size = 1;
	m->value_size = 2;
	t->flags = 1;
	t->prio = 2;
	return 0;
}

LICENSE_GPL;
