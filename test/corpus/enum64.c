/* ENUM64 (clang >= 15): signed and unsigned 64-bit enumerators, and 1-byte
 * and 8-byte enums whose values fit in 32 bits. */
enum big_u { BU_ZERO = 0, BU_TOP = 0xffffffffffffffffULL, BU_MID = 0x100000000ULL };
enum big_s { BS_NEG = -0x100000000LL, BS_POS = 0x7fffffffffffffffLL };
enum __attribute__((packed)) small { S_A = 1, S_B = 200 };
enum __attribute__((mode(word))) wide { W_A = 1, W_B = 2 };

struct holder {
	enum big_u u;
	enum big_s s;
	enum small sm;
	enum wide w;
};

struct holder h;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return (int)h.u + (int)h.s + h.sm + h.w;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
