/* Function pointers: returning function pointers (two levels), arrays of
 * function pointers, pointers to arrays of them, prototypes with no
 * parameters, (void), varargs, struct and pointer-to-function parameters,
 * typedefs of prototypes and of pointers, and qualified pointers. */
typedef int handler_fn(int, void *);
typedef handler_fn *handler_ptr;
typedef void (*void_cb)(void);
typedef int (*(*factory_fn)(int))(long);

struct ops;

struct cb_args {
	int a;
	long b;
};

struct ops {
	void (*noargs)(void);
	int (*vararg)(const char *, ...);
	int (*(*getter)(int))(long);
	void (*(*(*deep)(char))(short))(int);
	handler_fn *by_typedef;
	handler_ptr by_ptr_typedef;
	void_cb callbacks[4];
	int (*table[2][3])(struct ops *, int);
	int (*(*ptr_to_table)[5])(void);
	struct cb_args (*by_value)(struct cb_args, struct cb_args *);
	void (*takes_fn)(int (*)(int), void (*)(void));
	int (*const const_fp)(int);
	int (*volatile vol_fp)(int);
	const char *(*ret_const)(const char *const);
	factory_fn factory;
	handler_fn **pp_handler;
};

struct ops g_ops;
handler_ptr g_handlers[3];
int (*(*g_top_level)(void))(int);
void (*g_sig[2])(int, ...);

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_ops.table[1][2] != 0;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
