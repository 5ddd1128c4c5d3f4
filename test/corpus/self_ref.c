/* Recursive types: a struct pointing to itself, two and three structs that
 * point to each other in a cycle, a cycle closed through a typedef, through
 * a union, through an array of pointers, through a function pointer, and
 * a struct that embeds one member of a cycle by value. */
struct list {
	struct list *next;
	struct list **pprev;
	int value;
};

struct ping;
struct pong;
struct ping { struct pong *pong; int n; };
struct pong { struct ping *ping; struct ping *pings[2]; };

struct tri_a { struct tri_b *b; };
struct tri_b { struct tri_c *c; };
struct tri_c { struct tri_a *a; struct tri_a first; };

typedef struct tnode tnode_t;
struct tnode {
	tnode_t *left;
	tnode_t *right;
	void (*visit)(tnode_t *, struct tnode *);
};

union uref {
	union uref *up;
	struct list lst;
};

struct tree_host {
	struct list head;
	struct ping pi;
	tnode_t root;
	union uref u;
	struct tri_c tri;
};

struct tree_host g_tree_host;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return g_tree_host.head.value;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
