/* The TYPE_MATCHES relocation, __builtin_preserve_type_info kind 2
 * (clang >= 15). */
#define SEC(name) __attribute__((section(name), used))

struct bpf_iter_meta {
	void *seq;
	unsigned long long session_id;
} __attribute__((preserve_access_index));

SEC("iter/task")
int iter(struct bpf_iter_meta *m)
{
	return __builtin_preserve_type_info(*m, 2) + (int)m->session_id;
}
