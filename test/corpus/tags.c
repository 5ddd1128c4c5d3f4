/* BTF tags: btf_type_tag on pointees (one, several, with qualifiers, at two
 * pointer levels, behind typedefs, in function pointer parameters) and
 * btf_decl_tag on structs, unions, members, typedefs, variables, functions
 * and parameters (kept in BTF, not printed by the C dump). */
#define __user __attribute__((btf_type_tag("user")))
#define __rcu __attribute__((btf_type_tag("rcu")))
#define __percpu __attribute__((btf_type_tag("percpu")))
#define __tag(x) __attribute__((btf_decl_tag(x)))

struct tagged_target {
	int v;
} __tag("struct_tag");

union tagged_union {
	int i __tag("member_in_union");
	char c;
} __tag("union_tag");

typedef int __user *user_int_ptr;
typedef struct tagged_target tt_t __tag("typedef_tag");

struct type_tags {
	int __user *u;
	int __user __rcu *two;
	const int __user *cu;
	int __user *__percpu *levels;
	struct tagged_target __rcu *rcu_struct;
	user_int_ptr via_typedef;
	tt_t __user *typedef_pointee;
	void (*fn)(char __user *, int __rcu **);
	char __user *arr[2];
	union tagged_union u2 __tag("member_tag");
	int plain __tag("a") __tag("b");
};

struct type_tags g_type_tags __tag("var_tag");
struct tagged_target g_tagged_target; /* else only pointed to: a FWD */

__tag("func_tag")
int __attribute__((noinline)) helper(struct type_tags *t __tag("param_tag"), int __user *p)
{
	return t->plain + (p != 0);
}

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return helper(&g_type_tags, g_type_tags.u);
}

char _license[] __attribute__((section("license"), used)) = "GPL";
