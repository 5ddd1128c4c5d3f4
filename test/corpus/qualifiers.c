/* const, volatile and restrict on pointers versus on what they point to,
 * several levels deep, on arrays, typedefs, structs and function pointer
 * parameters. */
typedef const int cint_t;
typedef int *int_ptr;
typedef const int_ptr const_int_ptr; /* int *const */
typedef volatile struct qhost vstruct_t;

struct qhost {
	const int c;
	volatile int v;
	const volatile int cv;
	const int *ptr_to_const;
	int *const const_ptr;
	const int *const const_ptr_to_const;
	int *restrict restrict_ptr;
	const int *restrict restrict_ptr_to_const;
	volatile int *volatile const vv;
	const char *const *const *ppp;
	char *const *volatile *restrict mixed_levels;
	const int *arr_of_ptr_to_const[2];
	int *const arr_of_const_ptr[2];
	const struct qhost *self_const;
	vstruct_t *vs;
	cint_t *via_typedef;
	const_int_ptr typedef_const_ptr;
	const int_ptr also_const_ptr;
	volatile cint_t vc;
	void (*fp)(const int *restrict, volatile char *const);
	const void *const cvp;
	volatile void *volatile vvp;
};

struct qhost g_qhost;
const volatile int g_cv_int;
int *restrict g_restrict_ptr;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_qhost.v + g_cv_int;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
