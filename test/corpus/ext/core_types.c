/* CO-RE type and enum relocations: type existence and size, local and target
 * type ids, enumerator existence and value, through typedefs and unions. */
#define SEC(name) __attribute__((section(name), used))

enum task_state {
	TASK_RUNNING = 0,
	TASK_INTERRUPTIBLE = 1,
	TASK_DEAD = 0x80,
};

typedef enum task_state task_state_t;

struct sock_common {
	unsigned short family;
	unsigned int hash;
} __attribute__((preserve_access_index));

union addr {
	unsigned int v4;
	unsigned char v6[16];
} __attribute__((preserve_access_index));

typedef struct sock_common sock_common_t;

SEC("fentry/tcp_connect")
int probe(struct sock_common *sk)
{
	long r = 0;

	r += __builtin_preserve_type_info(*sk, 0);                 /* type exists */
	r += __builtin_preserve_type_info(*sk, 1);                 /* type size */
	r += __builtin_preserve_type_info(*(sock_common_t *)0, 1);
	r += __builtin_preserve_type_info(*(union addr *)0, 0);
	r += __builtin_btf_type_id(*sk, 0);                        /* local id */
	r += __builtin_btf_type_id(*sk, 1);                        /* target id */
	r += __builtin_preserve_enum_value(*(task_state_t *)TASK_DEAD, 0); /* exists */
	r += __builtin_preserve_enum_value(*(enum task_state *)TASK_INTERRUPTIBLE, 1); /* value */
	r += sk->family;
	return r;
}

SEC("xdp")
int plain(void *ctx)
{
	return 2;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
