/*
 * dedup-oracle: libbpf's BTF deduplication (btf__dedup) as a command, the
 * reference the TypeScript dedup is compared with.
 *
 *   dedup-oracle merge OUT [--base BASE] IN...
 *       An empty BTF (split on BASE when given), every IN appended in order
 *       with btf__add_btf, then btf__dedup; OUT gets the raw result (split
 *       BTF: only its own types and strings).
 *   dedup-oracle dedup OUT IN [--base BASE]
 *       IN (split on BASE when given) deduplicated as it is.
 *   dedup-oracle dedup-elf OUT_BTF OUT_EXT OBJ
 *       The .BTF of an ELF object deduplicated together with its .BTF.ext,
 *       whose type ids and strings btf__dedup rewrites; both written out.
 *   dedup-oracle parse IN [--base BASE]
 *       Exit 0 when libbpf accepts IN, non-zero otherwise.
 *   dedup-oracle parse-stream [--base BASE]
 *       Many raw blobs in one run: stdin holds records of a u32
 *       little-endian length followed by that many bytes, each parsed with
 *       btf__new, or on BASE as split BTF. One line per record on stdout:
 *       "ok", or "err <errno>" when libbpf refuses it. libbpf's messages
 *       are not forwarded in this mode (thousands of refusals would bury
 *       the answer); a truncated record on stdin exits 1.
 *
 * btf__new_split is declared by 1.1's btf.h but not defined in 1.1 (the
 * shared library has no such symbol), so split records go through
 * btf__parse_raw_split on an in-memory file. That reaches the same parser;
 * only its errno differs for data without the BTF magic (EPROTO, or EIO when
 * shorter than the magic, where btf__new says EINVAL).
 *
 * IN, BASE and OBJ may be raw BTF or ELF files with a .BTF section (libbpf's
 * btf__parse decides). libbpf 1.1 cannot append split BTF with btf__add_btf,
 * so merge inputs are standalone blobs. Outputs keep the inputs' byte order.
 *
 * Nothing is printed on success (but parse-stream's verdicts). Every failure
 * names the step and libbpf's error on stderr and exits 1; libbpf's own
 * warnings are forwarded to stderr. Usage errors exit 2.
 */
#define _GNU_SOURCE /* memfd_create */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *prog = "dedup-oracle";

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* Debug output (every type libbpf looks at) would drown the errors. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Prints "dedup-oracle: <step>: <libbpf's message> (<err>)" and exits 1. */
static void fail(const char *step, int err)
{
	char msg[256];

	if (err > 0)
		err = -err;
	if (libbpf_strerror(err, msg, sizeof(msg)))
		snprintf(msg, sizeof(msg), "%s", strerror(-err));
	fprintf(stderr, "%s: %s: %s (%d)\n", prog, step, msg, err);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s merge OUT [--base BASE] IN...\n"
		"       %s dedup OUT IN [--base BASE]\n"
		"       %s dedup-elf OUT_BTF OUT_EXT OBJ\n"
		"       %s parse IN [--base BASE]\n"
		"       %s parse-stream [--base BASE]\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

static struct btf *parse(const char *path, struct btf *base)
{
	char step[4096];
	struct btf *btf;

	btf = base ? btf__parse_split(path, base) : btf__parse(path, NULL);
	if (!btf) {
		snprintf(step, sizeof(step), "parsing %s%s", path, base ? " on its base" : "");
		fail(step, errno);
	}
	return btf;
}

static void write_file(const char *path, const void *data, size_t size)
{
	char step[4096];
	FILE *f = fopen(path, "wb");

	snprintf(step, sizeof(step), "writing %s", path);
	if (!f)
		fail(step, errno);
	if (size && fwrite(data, 1, size, f) != size) {
		int err = errno ? errno : EIO;

		fclose(f);
		fail(step, err);
	}
	if (fclose(f))
		fail(step, errno);
}

static void write_btf(const char *path, const struct btf *btf)
{
	const void *data;
	__u32 size = 0;

	data = btf__raw_data(btf, &size);
	if (!data)
		fail("btf__raw_data", errno);
	write_file(path, data, size);
}

static void dedup(struct btf *btf, struct btf_ext *ext)
{
	LIBBPF_OPTS(btf_dedup_opts, opts, .btf_ext = ext);
	int err = btf__dedup(btf, &opts);

	if (err)
		fail("btf__dedup", err);
}

/*
 * Splits argv[from..argc) into "--base BASE" (anywhere) and the remaining
 * positional arguments, which are moved to the front of argv + from.
 * Returns how many positional arguments there are.
 */
static int take_base(int argc, char **argv, int from, const char **base)
{
	int i, n = 0;

	*base = NULL;
	for (i = from; i < argc; i++) {
		if (!strcmp(argv[i], "--base")) {
			if (i + 1 >= argc || *base)
				usage();
			*base = argv[++i];
		} else {
			argv[from + n++] = argv[i];
		}
	}
	return n;
}

static int cmd_merge(int argc, char **argv)
{
	struct btf *base = NULL, *dst;
	const char *base_path;
	char step[4096];
	int i, n, err;

	if (argc < 4)
		usage();
	n = take_base(argc, argv, 3, &base_path);
	if (n < 1)
		usage();
	if (base_path)
		base = parse(base_path, NULL);
	dst = base ? btf__new_empty_split(base) : btf__new_empty();
	if (!dst)
		fail("btf__new_empty", errno);
	for (i = 3; i < 3 + n; i++) {
		struct btf *src = parse(argv[i], NULL);

		err = btf__add_btf(dst, src);
		if (err < 0) {
			snprintf(step, sizeof(step), "btf__add_btf(%s)", argv[i]);
			fail(step, err);
		}
		btf__free(src);
	}
	dedup(dst, NULL);
	write_btf(argv[2], dst);
	btf__free(dst);
	btf__free(base);
	return 0;
}

static int cmd_dedup(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	const char *base_path;

	if (argc < 4 || take_base(argc, argv, 3, &base_path) != 1)
		usage();
	if (base_path)
		base = parse(base_path, NULL);
	btf = parse(argv[3], base);
	dedup(btf, NULL);
	write_btf(argv[2], btf);
	btf__free(btf);
	btf__free(base);
	return 0;
}

static int cmd_dedup_elf(int argc, char **argv)
{
	struct btf_ext *ext = NULL;
	const void *data;
	char step[4096];
	struct btf *btf;
	__u32 size = 0;

	if (argc != 5)
		usage();
	btf = btf__parse_elf(argv[4], &ext);
	if (!btf) {
		snprintf(step, sizeof(step), "btf__parse_elf(%s)", argv[4]);
		fail(step, errno);
	}
	if (!ext) {
		fprintf(stderr, "%s: %s has no .BTF.ext section\n", prog, argv[4]);
		return 1;
	}
	dedup(btf, ext);
	write_btf(argv[2], btf);
	/*
	 * btf_ext__raw_data is declared by 1.1's btf.h but missing from the
	 * shared library's symbol map; its legacy name is the same function.
	 */
	data = btf_ext__get_raw_data(ext, &size);
	if (!data)
		fail("btf_ext__get_raw_data", errno);
	write_file(argv[3], data, size);
	btf_ext__free(ext);
	btf__free(btf);
	return 0;
}

static int cmd_parse(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	const char *base_path;

	if (argc < 3 || take_base(argc, argv, 2, &base_path) != 1)
		usage();
	if (base_path)
		base = parse(base_path, NULL);
	btf = parse(argv[2], base);
	btf__free(btf);
	btf__free(base);
	return 0;
}

/* Reads exactly `size` bytes from stdin; false at end of input, exits 1 on a partial read. */
static int read_exact(void *buf, size_t size, int eof_ok)
{
	size_t got = size ? fread(buf, 1, size, stdin) : 0;

	if (got == size)
		return 1;
	if (got == 0 && eof_ok && feof(stdin))
		return 0;
	fprintf(stderr, "%s: parse-stream: truncated record on stdin\n", prog);
	exit(1);
}

/* A split record through a memory-backed file, since btf__new_split is missing (see the top). */
static struct btf *new_split(int memfd, const void *data, __u32 size, struct btf *base)
{
	char path[64];

	if (ftruncate(memfd, 0) || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
		fail("parse-stream: writing a record to memory", errno ? errno : EIO);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	return btf__parse_raw_split(path, base);
}

static int cmd_parse_stream(int argc, char **argv)
{
	struct btf *base = NULL, *btf;
	const char *base_path;
	unsigned char len_le[4];
	int memfd = -1;
	size_t cap = 0;
	void *buf = NULL;
	__u32 len;

	if (take_base(argc, argv, 2, &base_path) != 0)
		usage();
	if (base_path) {
		base = parse(base_path, NULL);
		memfd = memfd_create("parse-stream", 0);
		if (memfd < 0)
			fail("memfd_create", errno);
	}
	/* From here on libbpf's refusals are the output, not messages. */
	libbpf_set_print(NULL);
	while (read_exact(len_le, sizeof(len_le), 1)) {
		len = len_le[0] | len_le[1] << 8 | len_le[2] << 16 | (__u32)len_le[3] << 24;
		/* At least one byte, so an empty record still has a valid pointer. */
		if (len >= cap) {
			cap = len + 1;
			free(buf);
			buf = malloc(cap);
			if (!buf)
				fail("parse-stream: allocating a record", ENOMEM);
		}
		read_exact(buf, len, 0);
		btf = base ? new_split(memfd, buf, len, base) : btf__new(buf, len);
		if (btf)
			printf("ok\n");
		else
			printf("err %d\n", errno);
		btf__free(btf);
	}
	if (fflush(stdout))
		fail("parse-stream: writing stdout", errno);
	free(buf);
	if (memfd >= 0)
		close(memfd);
	btf__free(base);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(print_warnings);
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "merge"))
		return cmd_merge(argc, argv);
	if (!strcmp(argv[1], "dedup"))
		return cmd_dedup(argc, argv);
	if (!strcmp(argv[1], "dedup-elf"))
		return cmd_dedup_elf(argc, argv);
	if (!strcmp(argv[1], "parse"))
		return cmd_parse(argc, argv);
	if (!strcmp(argv[1], "parse-stream"))
		return cmd_parse_stream(argc, argv);
	usage();
	return 2;
}
