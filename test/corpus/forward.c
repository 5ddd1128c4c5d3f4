/* Incomplete and empty aggregates: structs and unions only ever declared
 * (reached through pointers, typedefs and function parameters), empty
 * structs and unions (a GNU extension, size 0) and where they sit in other
 * types. */
struct fwd_only;
union fwd_union;
struct fwd_via_typedef;
typedef struct fwd_via_typedef fwd_t;
typedef union fwd_union *fwd_union_ptr;

struct empty {};
union empty_union {};
typedef struct {} empty_anon_t;

struct fwd_host {
	struct fwd_only *a;
	union fwd_union *b;
	fwd_t *c;
	fwd_union_ptr d;
	struct fwd_only **pp;
	struct fwd_only *arr[2];
	void (*fn)(struct fwd_only *, union fwd_union *);
	struct empty e;
	union empty_union eu;
	empty_anon_t ea;
	struct empty es[3];
	int after;
	struct {} inline_empty;
};

struct fwd_host g_fwd_host;
struct empty g_empty;
struct fwd_only *g_fwd_only;

__attribute__((section("xdp"), used))
int prog(struct fwd_only *ctx)
{
	return g_fwd_host.after + (ctx != 0);
}

char _license[] __attribute__((section("license"), used)) = "GPL";
