/* Names shared between C namespaces and reused in block scope. A struct tag
 * and a typedef with the same name do not clash (separate namespaces); two
 * distinct types with one tag or one typedef name (file scope vs a function's
 * static locals) do, and the header renames the later ones `name___2`.
 * Enumerators share the ordinary-identifier namespace with typedefs, so an
 * enumerator named like a typedef is renamed too. */
struct pair { int a; int b; };
typedef struct pair pair;          /* same name, tag vs typedef */
typedef struct pair pair_alias;    /* typedef of a differently named struct */
typedef struct other_tag { long v; } other_t;
typedef int shadow;                /* reused below as a block-scope tag and typedef */
struct shadow { char c; };
union shadow_u { int i; };
enum color { RED, GREEN };
typedef unsigned int counter;

struct uses {
	pair p;
	struct pair sp;
	pair_alias pa;
	other_t o;
	struct other_tag ot;
	shadow s;
	struct shadow ss;
	union shadow_u su;
	enum color c;
	counter n;
};

struct uses g_uses;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	/* A second struct pair, union shadow_u, typedef shadow, enum color... */
	static struct pair { long long x; } inner_pair __attribute__((used));
	static union shadow_u { char c[3]; } inner_u __attribute__((used));
	typedef short shadow;
	static shadow inner_shadow __attribute__((used));
	static enum color { BLUE = 7 } inner_color __attribute__((used));
	/* ...and enumerators named like the typedefs `counter` and `pair`. */
	static enum clash { counter = 1, pair = 2 } inner_clash __attribute__((used));
	return 0;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
