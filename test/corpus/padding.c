/* Padding holes of every size from 1 to 15 bytes between members, holes
 * after bitfields, tail padding of 1..7 bytes, and holes created by
 * embedded structs of larger alignment. */
struct hole1 { char a; char b; short c; };
struct hole2 { short a; int b; };
struct hole3 { char a; int b; };
struct hole4 { int a; long long b; };
struct hole5 { char a[3]; long long b; };
struct hole6 { short a; long long b; };
struct hole7 { char a; long long b; };
struct hole_after_bits { unsigned int a: 3; long long b; };
struct hole_after_bits2 { char c; unsigned short a: 5; int b; unsigned char x: 1; long long tail; };

struct tail1 { short a; char b; };
struct tail3 { int a; char b; };
struct tail5 { long long a; char b[3]; };
struct tail7 { long long a; char b; };

struct wide_holes {
	char a;
	struct tail7 t;
	char b;
	struct hole4 h;
	short c;
	long long d;
	char e;
};

/* An array of 13 chars followed by 8-aligned data: an 11-byte gap after
 * the 5 leftover bytes would need int + short + char fill. */
struct odd_sizes {
	char a[13];
	long long b;
	char c[9];
	int d;
	char e[2];
	long long f;
};

struct hole1 g1;
struct hole2 g2;
struct hole3 g3;
struct hole4 g4;
struct hole5 g5;
struct hole6 g6;
struct hole7 g7;
struct hole_after_bits g8;
struct hole_after_bits2 g9;
struct tail1 g10;
struct tail3 g11;
struct tail5 g12;
struct wide_holes g13;
struct odd_sizes g14;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g13.e + g14.d;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
