/* A program in a "?"-prefixed section is not loaded by default: libbpf
 * skips its CO-RE records entirely (they get no "relo #N" messages), while
 * the records of the normal program are relocated. */
#include "core.h"

struct task_struct {
	int pid;
	int tgid;
} __pai;

SEC("?tp/lazy/skipped")
int lazy_skipped(void *ctx)
{
	return ((struct task_struct *)ctx)->tgid + field_exists(((struct task_struct *)ctx)->pid);
}

SEC("tp/lazy/loaded")
int lazy_loaded(void *ctx)
{
	return ((struct task_struct *)ctx)->pid;
}

LICENSE_GPL;
