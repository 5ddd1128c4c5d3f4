/*
 * kconfig-oracle: the initial contents libbpf gives an object's .kconfig map.
 *
 *   kconfig-oracle OBJ.o [mem]
 *
 * With "mem", stdin (read whole, up to its first NUL) is passed as the
 * `kconfig` open option; without it there is no in-memory config and libbpf
 * reads the system config as usual. The object is really loaded (programs
 * go through the kernel verifier), then the .kconfig map is read back from
 * the kernel with a lookup, which is what `bpftool map dump` would show.
 *
 * stdout, one line:
 *   {"ok":true,"size":42,"hex":"0a0b..."}     loaded; the map's value bytes
 *   {"ok":true,"size":0,"hex":""}             loaded; the object has no .kconfig map
 *   {"ok":false,"stage":"open","err":-95}     libbpf failed (open or load)
 * stderr: libbpf's log at every level (the test reads the probed
 * LINUX_HAS_* values from it).
 *
 * Exit status 0 whenever a line was printed. Nothing is pinned: the maps and
 * programs die with the process.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_all(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static char *read_stdin(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;

	if (!buf)
		abort();
	while ((n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
	}
	buf[len] = 0;
	return buf;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int main(int argc, char **argv)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct bpf_object *obj;
	struct bpf_map *map;
	char *kconfig = NULL;
	int err;

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "mem"))) {
		fprintf(stderr, "usage: %s OBJ.o [mem]\n", argv[0]);
		return 2;
	}
	libbpf_set_print(print_all);
	if (argc == 3) {
		kconfig = read_stdin();
		opts.kconfig = kconfig;
	}

	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		printf("{\"ok\":false,\"stage\":\"open\",\"err\":%d}\n", -errno);
		return 0;
	}
	err = bpf_object__load(obj);
	if (err) {
		printf("{\"ok\":false,\"stage\":\"load\",\"err\":%d}\n", err);
		bpf_object__close(obj);
		return 0;
	}

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		__u32 size = bpf_map__value_size(map);
		unsigned char *val;
		__u32 key = 0, i;

		/* Internal maps are named "<object prefix>.kconfig". */
		if (!ends_with(name, ".kconfig"))
			continue;
		val = calloc(1, size ? size : 1);
		if (!val)
			abort();
		if (bpf_map_lookup_elem(bpf_map__fd(map), &key, val)) {
			printf("{\"ok\":false,\"stage\":\"lookup\",\"err\":%d}\n", -errno);
			return 0;
		}
		printf("{\"ok\":true,\"size\":%u,\"hex\":\"", size);
		for (i = 0; i < size; i++)
			printf("%02x", val[i]);
		printf("\"}\n");
		free(val);
		bpf_object__close(obj);
		free(kconfig);
		return 0;
	}
	printf("{\"ok\":true,\"size\":0,\"hex\":\"\"}\n");
	bpf_object__close(obj);
	free(kconfig);
	return 0;
}
