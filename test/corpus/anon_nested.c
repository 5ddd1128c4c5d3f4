/* Anonymous structs and unions: nested several levels deep, as unnamed
 * members (C11) and as named members of anonymous type, inside arrays,
 * behind pointers, holding bitfields, and in typedefs. */
struct deep {
	int level0;
	union {
		long long as_ll;
		struct {
			int lo;
			union {
				short s;
				struct {
					unsigned char b0: 4;
					unsigned char b1: 4;
					char raw;
				};
			};
		};
	};
	struct {
		int x;
		struct {
			int y;
			struct {
				int z;
			} innermost;
		} inner;
	} named;
	struct {
		char tag;
		union {
			int i;
			float f;
		} val;
	} cells[4];
	union {
		struct {
			int a;
			int b;
		} pair[2][3];
		char bytes[24];
	} grid;
	struct {
		int p;
	} *ptr_to_anon;
	struct {
		int q;
	} *arr_of_ptrs[2];
};

union anon_union_host {
	struct {
		int u_a;
		int u_b;
	};
	struct {
		long long u_c;
	};
	unsigned int bits: 9;
};

typedef struct {
	int field;
	union {
		int i;
		struct {
			short hi;
			short lo;
		} halves;
	};
} anon_typedef_t;

typedef union {
	long long v;
	struct {
		int x;
		int y;
	};
} anon_union_t;

struct deep g_deep;
union anon_union_host g_anon_union_host;
anon_typedef_t g_anon_typedef;
anon_union_t g_anon_union;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_deep.named.inner.innermost.z + g_deep.b0 + g_anon_typedef.halves.lo;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
