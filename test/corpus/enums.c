/* 32-bit enums: negative values, INT_MIN and INT_MAX, unsigned values above
 * INT_MAX, duplicate values, implicit numbering, a single-enumerator enum,
 * an anonymous enum used by a member, and enums behind typedefs. */
enum neg {
	NEG_MIN = -2147483647 - 1,
	NEG_ONE = -1,
	NEG_ZERO,
	NEG_MAX = 2147483647,
};

enum uns {
	UNS_A = 0x80000000u,
	UNS_B = 0xffffffffu,
	UNS_C = 1,
};

enum dups {
	DUP_A = 7,
	DUP_B = 7,
	DUP_C,
	DUP_D = DUP_A - 10,
};

enum single { ONLY };

typedef enum { TE_X = 10, TE_Y = 20 } anon_enum_t;
typedef enum neg neg_t;

struct enum_host {
	enum neg n;
	enum uns u;
	enum dups d;
	enum single s;
	anon_enum_t te;
	neg_t nt;
	enum { IN_A = -5, IN_B } inline_anon;
	enum neg arr[2];
};

struct enum_host g_enum_host;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_enum_host.n + g_enum_host.inline_anon;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
