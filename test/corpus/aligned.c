/* Over-aligned types: BTF has no alignment, so __attribute__((aligned(N)))
 * shows up in the header as explicit padding members (and, for members,
 * as the holes before them). Covers aligned(16) and aligned(64) structs,
 * over-aligned members, over-aligned structs nested in others and in
 * arrays, and an aligned struct that is also packed. */
struct __attribute__((aligned(16))) al16 {
	int a;
};

struct __attribute__((aligned(64))) al64 {
	char c;
	long long v;
};

struct al_members {
	char c;
	int i __attribute__((aligned(16)));
	char d;
	long long l __attribute__((aligned(64)));
	short tail;
};

struct al_host {
	char c;
	struct al16 x;
	struct al64 y;
	struct al16 arr[2];
	int after;
};

struct __attribute__((packed, aligned(8))) al_packed {
	char c;
	int i;
	short s;
};

struct al_packed_host {
	char c;
	struct al_packed p;
	char d;
};

typedef struct al64 al64_t;

struct al16 g_al16;
struct al64 g_al64;
struct al_members g_al_members;
struct al_host g_al_host;
struct al_packed_host g_al_packed_host;
al64_t g_al64_t;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_al_host.after + g_al_members.i;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
