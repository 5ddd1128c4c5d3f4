/* A small XDP program the kernel verifier accepts, for load tests of rewritten
 * objects: globals in .data, .bss and .rodata, an array map, a helper call
 * and a weak kconfig extern, so the object carries ld_imm64 relocations
 * against section and extern symbols. */
#define SEC(name) __attribute__((section(name), used))

struct {
	int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
	int (*max_entries)[4];
	unsigned int *key;
	unsigned long long *value;
} counts SEC(".maps");

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

extern unsigned int LINUX_KERNEL_VERSION __attribute__((section(".kconfig"), weak));

int seen = 1;
unsigned long long packets;
const volatile unsigned int slot = 2;

SEC("xdp")
int xdp_pass(void *ctx)
{
	unsigned int key = slot & 3;
	unsigned long long *v = bpf_map_lookup_elem(&counts, &key);

	if (v)
		*v += 1;
	packets++;
	seen += LINUX_KERNEL_VERSION != 0;
	return 2; /* XDP_PASS */
}

char _license[] SEC("license") = "GPL";
