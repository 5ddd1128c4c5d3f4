/* Target BTF with several candidates per local type: btfkit_amb and
 * btfkit_amb___dup put a and b at swapped offsets (field offset
 * ambiguity); btfkit_agree and btfkit_agree___2 are identical (candidates
 * agree); btfkit_sized and btfkit_sized___2 put a at the same offset with
 * different sizes (offsets agree, sizes do not); btfkit_color and
 * btfkit_color___dup give RED different values but GREEN the same. */
struct btfkit_amb {
	int a;
	int b;
};

struct btfkit_amb___dup {
	int b;
	int a;
};

struct btfkit_agree {
	int a;
	long b;
};

struct btfkit_agree___2 {
	int a;
	long b;
};

struct btfkit_sized {
	unsigned int a;
};

struct btfkit_sized___2 {
	unsigned long a;
};

enum btfkit_color {
	BTFKIT_RED = 1,
	BTFKIT_GREEN = 2,
};

enum btfkit_color___dup {
	BTFKIT_RED___dup = 5,
	BTFKIT_GREEN___dup = 2,
};

struct btfkit_amb_all {
	struct btfkit_amb a;
	struct btfkit_amb___dup b;
	struct btfkit_agree c;
	struct btfkit_agree___2 d;
	struct btfkit_sized e;
	struct btfkit_sized___2 f;
	enum btfkit_color g;
	enum btfkit_color___dup h;
};

struct btfkit_amb_all btfkit_amb_types __attribute__((used));
