/* Function and line info only: the core_relo subsection is empty. */
#define SEC(name) __attribute__((section(name), used))

static __attribute__((noinline)) int triple(int a)
{
	return a * 3;
}

SEC("socket")
int count(void *ctx)
{
	return triple((long)ctx) + 1;
}

SEC("tc")
int classify(void *ctx)
{
	return triple(2);
}
