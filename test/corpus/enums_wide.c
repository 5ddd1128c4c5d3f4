/* 64-bit enumerators, ENUM64 (clang >= 15): unsigned values up to
 * 2^64-1, signed values down to INT64_MIN, values straddling the 32-bit
 * boundary, an anonymous 64-bit enum behind a typedef, and 64-bit enums as
 * struct members next to 32-bit ones. */
enum u64_vals {
	U64_ZERO = 0,
	U64_BIT32 = 0x100000000ULL,
	U64_HIGH = 0x8000000000000000ULL,
	U64_MAX = 0xffffffffffffffffULL,
};

enum s64_vals {
	S64_MIN = -0x7fffffffffffffffLL - 1,
	S64_NEG32 = -0x80000001LL,
	S64_NEG = -1,
	S64_MAX = 0x7fffffffffffffffLL,
};

typedef enum { W_LOW = 1, W_WIDE = 0x123456789aULL } wide_t;

enum small32 { SM_A = 1, SM_B = -2 };

struct wide_host {
	enum small32 a;
	enum u64_vals u;
	enum s64_vals s;
	wide_t w;
	enum s64_vals arr[2];
};

struct wide_host g_wide_host;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return (int)g_wide_host.u + (int)g_wide_host.s;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
