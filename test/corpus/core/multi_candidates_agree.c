/* Three kernel struct perf_aux_event candidates (16, 16 and 32 bytes): the
 * header member is at offset 0 in all of them (they agree); pid exists in
 * one only; hw_id in another. TYPE_EXISTS agrees too. */
#include "core.h"

struct perf_event_header {
	u32 type;
	u16 misc;
	u16 size;
} __pai;

struct perf_aux_event {
	struct perf_event_header header;
	u32 pid;
	u32 tid;
} __pai;

struct perf_aux_event___hw {
	struct perf_event_header header;
	u64 hw_id;
} __pai;

SEC("tp/aux/header")
int aux_header(void *ctx)
{
	struct perf_aux_event___hw *e = ctx;

	return e->header.type + e->header.size + type_exists(struct perf_aux_event___hw) + (int)e->hw_id;
}

SEC("tp/aux/pid")
int aux_pid(void *ctx)
{
	struct perf_aux_event *e = ctx;

	return e->pid + e->tid + e->header.misc;
}

LICENSE_GPL;
