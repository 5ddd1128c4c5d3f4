/* Packed layouts: __attribute__((packed)) structs, packed structs
 * embedded in ordinary ones (and the reverse), packed bitfields that straddle
 * byte and word boundaries, and packed structs whose layout happens to equal
 * the natural one (no attribute needed in the header). Packed unions are in
 * union_attrs.c. */
struct __attribute__((packed)) pk_basic {
	char c;
	int i;
	long long ll;
	short s;
};

struct __attribute__((packed)) pk_natural {
	long long a;
	int b;
	short c;
	char d;
	char e;
};

struct pk_host {
	char before;
	struct pk_basic inner;
	int after;
	struct pk_basic arr[3];
	long long tail;
};

struct plain_pair {
	char c;
	long long v;
};

struct __attribute__((packed)) pk_outer {
	char tag;
	struct plain_pair pair; /* 8-aligned type at offset 1 */
	short s;
};

struct __attribute__((packed)) pk_bits {
	unsigned char a: 3;
	unsigned int b: 30; /* straddles the int boundary */
	unsigned long long c: 60;
	char d;
	unsigned short e: 15;
};

struct __attribute__((packed)) pk_odd_tail {
	int i;
	char c;
};

struct pk_odd_host {
	struct pk_odd_tail x;
	struct pk_odd_tail y;
	char z;
};

/* Packed only on one member: the struct is not packed, the member is. */
struct member_packed {
	char c;
	int i __attribute__((packed));
	long long l;
};

struct pk_basic g_pk_basic;
struct pk_natural g_pk_natural;
struct pk_host g_pk_host;
struct pk_outer g_pk_outer;
struct pk_bits g_pk_bits;
struct pk_odd_host g_pk_odd_host;
struct member_packed g_member_packed;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_pk_bits.b + g_pk_host.after;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
