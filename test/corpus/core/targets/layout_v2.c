/* Target BTF "v2": the btfkit_* types changed the ways kernels change them.
 * btfkit_obj: fields reordered, flags widened to u64 (unsigned: the load
 * size is adjusted), small now signed and int-sized (poisoned load),
 * renamed_old renamed to renamed_new, name longer. btfkit_inner: b widened
 * to long and moved first. btfkit_bits: bitfields moved, resized, signedness
 * flipped, one became a plain member. btfkit_wide: a packed 60-bit field
 * that straddles 8 bytes (libbpf cannot load it). Enums: values changed,
 * one added, one removed, enum64 values changed. btfkit_grid: other
 * dimensions. btfkit_buf: data[] is now flexible. btfkit_gone: gone. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct btfkit_inner {
	long b;
	int a;
};

struct btfkit_obj {
	u64 tail;
	char name[16];
	u64 flags;
	int id;
	int small;
	long renamed_new;
	struct btfkit_inner inner;
};

struct btfkit_bits {
	u32 plain;
	u8 u2: 2, u1: 1;
	u8 u5;
	short s4: 4, s3: 3;
	u16 u7: 7, u9: 9;
	u32 s15: 15;
	u64 u15: 15, u17: 17, s31: 31;
	u64 u31: 31, u33: 33;
	u64 s48: 48;
	long long u63: 63;
};

struct btfkit_wide {
	u8 pad;
	u64 wide: 60;
} __attribute__((packed));

enum btfkit_state {
	BTFKIT_RUN = 10,
	BTFKIT_IDLE = 11,
	BTFKIT_NEW = 12,
	BTFKIT_NEG = -3,
};

enum btfkit_big {
	BTFKIT_BIG_LOW = 1ULL << 33,
	BTFKIT_BIG_HIGH = 3,
	BTFKIT_BIG_TOP = 0xfedcba9876543210ULL,
};

struct btfkit_grid {
	int cells[4][3];
	u8 cube[2][2][8];
};

struct btfkit_buf {
	int len;
	int data[];
};

struct btfkit_all {
	struct btfkit_obj obj;
	struct btfkit_bits bits;
	struct btfkit_wide wide;
	enum btfkit_state state;
	enum btfkit_big big;
	struct btfkit_grid grid;
	struct btfkit_buf buf;
};

struct btfkit_all btfkit_all_types __attribute__((used));
