/* Bitfields: every width 1..64 on unsigned and signed long long, the full
 * width range of char, short and int base types (signed and unsigned), fields
 * that cannot straddle their storage unit and are pushed to the next one,
 * zero-width separators, and bitfields mixed with ordinary members. */
#define U64(n) unsigned long long u##n : n;
#define S64(n) long long s##n : n;

/* One field per width; consecutive widths keep overflowing 64-bit units. */
struct widths_u64 {
	U64(1) U64(2) U64(3) U64(4) U64(5) U64(6) U64(7) U64(8) U64(9)
	U64(10) U64(11) U64(12) U64(13) U64(14) U64(15) U64(16) U64(17) U64(18) U64(19)
	U64(20) U64(21) U64(22) U64(23) U64(24) U64(25) U64(26) U64(27) U64(28) U64(29)
	U64(30) U64(31) U64(32) U64(33) U64(34) U64(35) U64(36) U64(37) U64(38) U64(39)
	U64(40) U64(41) U64(42) U64(43) U64(44) U64(45) U64(46) U64(47) U64(48) U64(49)
	U64(50) U64(51) U64(52) U64(53) U64(54) U64(55) U64(56) U64(57) U64(58) U64(59)
	U64(60) U64(61) U64(62) U64(63) U64(64)
};

struct widths_s64 {
	S64(64) S64(63) S64(62) S64(61) S64(60) S64(59) S64(58) S64(57) S64(56) S64(55)
	S64(54) S64(53) S64(52) S64(51) S64(50) S64(49) S64(48) S64(47) S64(46) S64(45)
	S64(44) S64(43) S64(42) S64(41) S64(40) S64(39) S64(38) S64(37) S64(36) S64(35)
	S64(34) S64(33) S64(32) S64(31) S64(30) S64(29) S64(28) S64(27) S64(26) S64(25)
	S64(24) S64(23) S64(22) S64(21) S64(20) S64(19) S64(18) S64(17) S64(16) S64(15)
	S64(14) S64(13) S64(12) S64(11) S64(10) S64(9) S64(8) S64(7) S64(6) S64(5)
	S64(4) S64(3) S64(2) S64(1)
};

struct small_bases {
	unsigned char uc1: 1;
	unsigned char uc7: 7;
	unsigned char uc8: 8;
	signed char sc3: 3;
	char c5: 5;
	unsigned char uc6: 6; /* does not fit after c5: next byte */
	unsigned short us9: 9;
	unsigned short us16: 16;
	short ss15: 15;
	unsigned short us2: 2;
	int i31: 31;
	unsigned int ui32: 32;
	unsigned int ui1: 1;
	int i32: 32; /* pushed to the next int */
	_Bool flag: 1;
	long l40: 40;
	unsigned long ul24: 24;
	unsigned long ul41: 41; /* straddles: moves to the next 8 bytes */
};

/* Units of different types sharing bytes, and zero-width separators. */
struct mixed {
	char head;
	unsigned int a: 4;
	unsigned long long b: 60;
	unsigned short c: 3;
	unsigned int: 0;
	unsigned char d: 2;
	long long: 0;
	int e: 1;
	short f;
	unsigned char g: 1;
	long long h;
	unsigned int tail: 5;
};

/* Bitfields as the only members of unions. */
union bit_union {
	unsigned int lo: 3;
	unsigned long long wide: 50;
	char c: 8;
};

struct widths_u64 g_widths_u64;
struct widths_s64 g_widths_s64;
struct small_bases g_small_bases;
struct mixed g_mixed;
union bit_union g_bit_union;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_mixed.a + g_small_bases.i31;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
