/* Arrays: multi-dimensional, of pointers, pointers to arrays, arrays of
 * pointers to arrays, arrays of structs and typedefs, zero-length and
 * flexible array members, and arrays of qualified elements. */
typedef int row_t[4];
typedef row_t matrix_t[3];
typedef char name_t[16];

struct item {
	int id;
	char name[8];
};

struct arrays {
	int one[2];
	int two[2][3];
	long long three[2][3][4];
	char four[1][2][3][4];
	int *ptrs[5];
	int (*ptr_to_arr)[5];
	int (*ptr_to_2d)[2][3];
	int (*arr_of_ptr_to_arr[3])[7];
	int (**pp_arr)[2];
	int *(*ptr_to_arr_of_ptrs)[4];
	char *(*(*tangle)[2])[3];
	struct item items[2][2];
	row_t rows[2];
	matrix_t m;
	matrix_t *mp;
	name_t names[3];
	const int ro[3];
	volatile char vol[2][2];
	const char *strs[2];
	char *const cptrs[2];
	int zero_len[0];
};

struct flex {
	int count;
	long long entries[];
};

struct flex2d {
	short n;
	int cells[][4];
};

struct zero_mid {
	int a;
	char none[0];
	int b;
	struct item no_items[0];
	long long tail;
};

struct arrays g_arrays;
struct flex g_flex;
struct flex2d g_flex2d;
struct zero_mid g_zero_mid;
matrix_t g_matrix;
int (*g_fn_ptr_arr_ret)[3];

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_arrays.two[1][2] + g_flex.count;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
