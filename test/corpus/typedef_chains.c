/* Typedef chains: typedefs of typedefs (several levels) of ints, pointers,
 * arrays, structs, anonymous structs, enums and function prototypes, with
 * qualifiers added along the chain, and chains whose links are only used
 * through the next one. */
typedef unsigned int t1;
typedef t1 t2;
typedef t2 t3;
typedef const t3 t4;
typedef t4 *t5;
typedef t5 t6[2];
typedef t6 *t7;

typedef struct chain_s { t3 x; } chain_s_t;
typedef chain_s_t chain_s_t2;
typedef chain_s_t2 *chain_s_ptr;
typedef chain_s_ptr chain_s_ptrs[3];

typedef struct { int a; } anon_base_t;
typedef anon_base_t anon_again_t;
typedef volatile anon_again_t anon_vol_t;

typedef enum chain_e { CE_A, CE_B } chain_e_t;
typedef chain_e_t chain_e_t2;

typedef int proto_t(t1);
typedef proto_t proto2_t;
typedef proto2_t *proto_ptr_t;
typedef proto_ptr_t proto_arr_t[2];

typedef void *void_ptr_t;
typedef void_ptr_t void_ptr2_t;

struct chain_host {
	t7 a;
	chain_s_ptrs b;
	anon_vol_t c;
	chain_e_t2 d;
	proto_arr_t e;
	void_ptr2_t f;
	t6 g;
};

struct chain_host g_chain_host;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_chain_host.d;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
