/*
 * Test oracle: libbpf's btf_dump__dump_type() for the given type ids, between
 * the same guard and pragma lines bpftool's `format c` prints. Debian's
 * bpftool 7.1 has no `root_id`, so this is how root-id dumps get checked.
 *
 * usage: libbpf-dumpc FILE BASE|- ID...
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/btf.h>

static void print(void *ctx, const char *fmt, va_list args)
{
	(void)ctx;
	vfprintf(stdout, fmt, args);
}

int main(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	struct btf_dump *d;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: %s FILE BASE|- ID...\n", argv[0]);
		return 2;
	}
	if (argv[2][0] != '-') {
		base = btf__parse(argv[2], NULL);
		if (!base) {
			fprintf(stderr, "cannot parse %s\n", argv[2]);
			return 1;
		}
	}
	btf = base ? btf__parse_split(argv[1], base) : btf__parse(argv[1], NULL);
	if (!btf) {
		fprintf(stderr, "cannot parse %s\n", argv[1]);
		return 1;
	}
	d = btf_dump__new(btf, print, NULL, NULL);
	if (!d)
		return 1;
	printf("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n"
	       "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
	       "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
	       "#endif\n\n");
	for (i = 3; i < argc; i++) {
		if (btf_dump__dump_type(d, strtoul(argv[i], NULL, 10))) {
			fprintf(stderr, "btf_dump__dump_type(%s) failed\n", argv[i]);
			return 1;
		}
	}
	printf("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
	       "#endif /* __VMLINUX_H__ */\n");
	return 0;
}
