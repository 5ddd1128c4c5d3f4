/* A kernel-module-shaped relocatable object: per-function sections, .modinfo,
 * local and global data, TLS, a common symbol, calls to an undefined extern
 * and a data relocation against a function. Built for several architectures
 * to cover ELF32/ELF64, both byte orders, REL and RELA. */
static int counter;
static const char modinfo[] __attribute__((section(".modinfo"), used)) = "license=GPL";
extern int printk(const char *fmt, ...);
__thread int tls_var;
int common_var __attribute__((common));
__attribute__((weak)) int weak_hook(void) { return 0; }
__attribute__((visibility("hidden"))) int hidden_state = 7;

int init_module(void)
{
	counter++;
	tls_var = 2;
	return printk("hello %d\n", counter) + weak_hook() + hidden_state;
}

void cleanup_module(void)
{
	printk("bye\n");
}

int (*ops[])(void) = { init_module, weak_hook };
