/* Target BTF "v1": the synthetic btfkit_* types in their original layout
 * (the corpus' local definitions match it, except where a corpus file
 * deliberately declares a flavor). Compiled with clang -g; only its .BTF is
 * used. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

struct btfkit_inner {
	int a;
	int b;
};

struct btfkit_obj {
	int id;
	u32 flags;
	u16 small;
	char name[8];
	long renamed_old;
	struct btfkit_inner inner;
	u64 tail;
};

struct btfkit_bits {
	u8 u1: 1, u2: 2, u5: 5;
	u8 sep0;
	signed char s3: 3, s4: 4;
	u8 sep1;
	u16 u9: 9, u7: 7;
	u16 sep2;
	short s15: 15;
	u16 sep3;
	u32 u17: 17, u15: 15;
	u32 sep4;
	int s31: 31;
	u32 sep5;
	u64 u33: 33, u31: 31;
	u64 sep6;
	long long s48: 48;
	u64 sep7;
	u64 u63: 63;
	u32 plain;
};

struct btfkit_wide {
	u64 wide: 60;
};

enum btfkit_state {
	BTFKIT_IDLE = 0,
	BTFKIT_RUN = 1,
	BTFKIT_STOP = 2,
};

enum btfkit_big {
	BTFKIT_BIG_LOW = 1,
	BTFKIT_BIG_HIGH = 1ULL << 40,
};

struct btfkit_grid {
	int cells[3][4];
	u8 cube[2][3][4];
};

struct btfkit_buf {
	int len;
	int data[4];
};

struct btfkit_gone {
	int x;
};

struct btfkit_all {
	struct btfkit_obj obj;
	struct btfkit_bits bits;
	struct btfkit_wide wide;
	enum btfkit_state state;
	enum btfkit_big big;
	struct btfkit_grid grid;
	struct btfkit_buf buf;
	struct btfkit_gone gone;
};

/* A global embedding every type by value keeps their full definitions in
 * the object's BTF (behind a pointer clang would emit only a FWD). */
struct btfkit_all btfkit_all_types __attribute__((used));
