/* Union attributes the C dump cannot keep: libbpf pads structs up to their
 * BTF size and marks structs packed, but does neither for unions. So an
 * over-aligned union prints smaller than its BTF size, and a packed union
 * whose size is not a multiple of its alignment prints unpacked. Hosts
 * embedding them still get explicit padding up to the BTF offsets. */
union __attribute__((aligned(32))) al_union {
	int i;
	char c[5];
};

struct al_union_host {
	char c;
	union al_union u;
	short after;
};

struct __attribute__((packed)) pk_member {
	char c;
	int i;
};

union __attribute__((packed)) pk_union {
	char c;
	int i;
	struct pk_member m;
};

struct pk_union_host {
	union pk_union u;
	char after;
};

struct al_union_host g_al_union_host;
struct pk_union_host g_pk_union_host;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_al_union_host.after + g_pk_union_host.after;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
