/* Every BTF kind clang emits for BPF: ints of all widths, floats, pointers,
 * arrays, structs and unions with bitfields, enums (negative values), typedefs,
 * modifiers, functions, variables and sections, decl and type tags. */
typedef unsigned char u8;
typedef signed short s16;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;

enum color { RED = -1, GREEN = 0, BLUE = 0x7fffffff };
enum flags { F_HIGH = 0x80000000u };

struct bits {
	u8 a: 1;
	u8 b: 7;
	u32 c: 20;
	int d: 3;
	u64 e: 40;
	char tail;
};

union value {
	int i;
	float f;
	double d;
	long double ld;
	char bytes[8];
};

struct node {
	struct node *next;
	const volatile int *restrict cv;
	int matrix[2][3];
	void (*cb)(int, const char *, ...);
	union value v;
	struct bits b;
	enum color c;
	enum flags fl;
	int __attribute__((btf_type_tag("user"))) *user_ptr;
	int tagged __attribute__((btf_decl_tag("field_tag")));
};

struct opaque;

int global_counter = 3;
static volatile struct node static_node;
const char rodata_name[] = "btfkit";
struct opaque *opaque_ptr;

__attribute__((btf_decl_tag("func_tag")))
int touch(struct node *n __attribute__((btf_decl_tag("param_tag"))), struct opaque *o)
{
	static_node.c = GREEN;
	global_counter += n->matrix[1][2] + (o != 0);
	return n->b.c + static_node.v.i;
}

__attribute__((section("tp/syscalls/sys_enter_read"), used))
int prog(void *ctx)
{
	return touch((struct node *)ctx, opaque_ptr) + rodata_name[0];
}

char _license[] __attribute__((section("license"), used)) = "GPL";
