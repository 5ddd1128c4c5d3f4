/* The compiler's own va_list: a typedef named __builtin_va_list is left out
 * of the header (it would clash with the compiler's), and typedefs through
 * it (__gnuc_va_list, va_list, one of our own) stay. */
typedef __builtin_va_list __gnuc_va_list;
typedef __gnuc_va_list va_list;
typedef va_list my_va_list;

struct va_holder {
	va_list ap;
	my_va_list own;
	__builtin_va_list raw;
};

struct va_holder va_holder_v;

__attribute__((section("xdp"), used))
int prog(void *ctx)
{
	return va_holder_v.ap != 0;
}

char _license[] __attribute__((section("license"), used)) = "GPL";
