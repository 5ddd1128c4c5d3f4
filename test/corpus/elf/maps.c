/* BTF-defined maps in the shapes libbpf accepts: key/value as types or as
 * sizes, flags, pinning, a typedef'd key and a struct value. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

typedef unsigned int u32;
struct event { unsigned long long ts; char comm[16]; int pid; };

struct {
	__uint(type, 1); /* BPF_MAP_TYPE_HASH */
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, struct event);
	__uint(map_flags, 1); /* BPF_F_NO_PREALLOC */
} events SEC(".maps");

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(key_size, 4);
	__uint(value_size, 24);
	__uint(max_entries, 8);
	__uint(pinning, 1);
} sized SEC(".maps");

struct {
	__uint(type, 27); /* BPF_MAP_TYPE_RINGBUF */
	__uint(max_entries, 4096);
} ring SEC(".maps");

SEC("xdp")
int prog(void *ctx)
{
	return 2;
}

char _license[] SEC("license") = "GPL";
