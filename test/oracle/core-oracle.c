/*
 * core-oracle: what libbpf decides for every CO-RE relocation of a BPF object.
 *
 *   core-oracle OBJ.o TARGET_BTF
 *
 * TARGET_BTF (raw BTF, or an ELF with .BTF) is given to libbpf as
 * btf_custom_path, so the machine's own kernel BTF and module BTF play no
 * part. libbpf has no public API that only relocates, so the object is
 * loaded; CO-RE runs inside bpf_object__load() before any program reaches the
 * kernel verifier, so whatever the verifier says afterwards is irrelevant.
 * The decisions are recovered from libbpf's debug messages (the formats of
 * libbpf 1.1.2, src/relo_core.c and src/libbpf.c).
 *
 * stdout: one JSON object per relocation libbpf processed, in its processing
 * order:
 *   {"prog":"p","relo":3,"insn":12,"kind":"byte_off","result":"patched",
 *    "value":"1264","orig":"16","patch":"LDX/ST/STX off","memsz":"8->4",
 *    "local":"...","target":"...","candidates":2,"matching":1,"error":"..."}
 * ("insn" is null when libbpf failed before logging it; "value"/"orig" are
 * u64 decimals; "result" is patched, poisoned or failed), then a last line
 *   {"summary":true,"reached":true,"coreFailed":false,"loadErr":-13,
 *    "sections":[{"name":"tp/x","count":4}]}
 * "reached" says libbpf got to CO-RE at all (its "found N CO-RE relocations"
 * message). stderr: the raw libbpf log.
 *
 * Exit status: 0 when the output is complete, 2 on usage or open errors.
 * Nothing is pinned; every fd libbpf created dies with the process.
 */
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the captured log ---------------------------------------------------- */

static char *logbuf;
static size_t loglen, logcap;

static void log_append(const char *s, size_t n)
{
	if (loglen + n + 1 > logcap) {
		size_t cap = logcap ? logcap : 1 << 16;
		while (loglen + n + 1 > cap)
			cap *= 2;
		char *p = realloc(logbuf, cap);
		if (!p)
			abort();
		logbuf = p;
		logcap = cap;
	}
	memcpy(logbuf + loglen, s, n);
	loglen += n;
	logbuf[loglen] = 0;
}

/* Every level is kept: the decisions are DEBUG messages, failures WARN. */
static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *s = NULL;
	int n;

	(void)level;
	n = vasprintf(&s, fmt, ap);
	if (n > 0)
		log_append(s, (size_t)n);
	free(s);
	return n;
}

/* ---- per-relocation records ---------------------------------------------- */

enum result { R_NONE, R_PATCHED, R_POISONED, R_FAILED };

struct relo {
	char prog[128];
	int relo;
	long insn; /* -1: not logged */
	char kind[32];
	enum result result;
	char value[32], orig[32];
	char patch[32];
	char memsz[32];
	char local[512], target[512];
	int candidates, matching;
	char error[512];
};

static struct relo *relos;
static size_t nrelos, caprelos;
/* The record the latest "relo #N" message was about. */
static long current = -1;

static struct relo *find_relo(const char *prog, int idx)
{
	/* Records of one (prog, relo) are logged contiguously; search backwards. */
	for (size_t i = nrelos; i-- > 0;)
		if (relos[i].relo == idx && !strcmp(relos[i].prog, prog)) {
			current = (long)i;
			return &relos[i];
		}
	if (nrelos == caprelos) {
		caprelos = caprelos ? caprelos * 2 : 64;
		relos = realloc(relos, caprelos * sizeof(*relos));
		if (!relos)
			abort();
	}
	struct relo *r = &relos[nrelos++];
	memset(r, 0, sizeof(*r));
	snprintf(r->prog, sizeof(r->prog), "%s", prog);
	r->relo = idx;
	r->insn = -1;
	current = (long)(nrelos - 1);
	return r;
}

static void set_error(struct relo *r, const char *msg)
{
	/* Keep the first, most specific message (later ones are "failed to relocate"). */
	if (!r->error[0])
		snprintf(r->error, sizeof(r->error), "%s", msg);
}

static void set_insn(struct relo *r, long insn)
{
	/* A poisoned ldimm64 logs insn+1 first, then insn: keep the smaller one. */
	if (r->insn < 0 || insn < r->insn)
		r->insn = insn;
}

/* ---- sections ------------------------------------------------------------ */

struct section {
	char name[128];
	int count;
};
static struct section sections[256];
static int nsections;
static int reached, core_failed;

/* ---- parsing ------------------------------------------------------------- */

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * One message about relocation (prog, idx); `m` is the text after
 * "prog 'P': relo #N: ".
 */
static void parse_relo_msg(struct relo *r, const char *m)
{
	unsigned long long a, b;
	unsigned ua, ub;
	long insn;
	int err;

	if (m[0] == '<') {
		/* the local spec: "<byte_off> [5] struct task_struct.pid (0:92 @ offset 1264)" */
		if (sscanf(m, "<%31[^>]>", r->kind) == 1)
			snprintf(r->local, sizeof(r->local), "%s", m);
		return;
	}
	if (starts(m, "matching candidate #") || starts(m, "non-matching candidate #")) {
		/* "matching candidate #0 <byte_off> [114] struct task_struct.pid (...)" */
		const char *spec = strchr(strchr(m, '#'), ' ');
		r->candidates++;
		if (m[0] == 'm') {
			if (!r->matching && spec)
				snprintf(r->target, sizeof(r->target), "%s", spec + 1);
			r->matching++;
		}
		return;
	}
	if (starts(m, "no matching targets found"))
		return;
	if (sscanf(m, "patched insn #%ld (ALU/ALU64) imm %llu -> %llu", &insn, &a, &b) == 3 ||
	    sscanf(m, "patched insn #%ld (LDX/ST/STX) off %llu -> %llu", &insn, &a, &b) == 3 ||
	    sscanf(m, "patched insn #%ld (LDIMM64) imm64 %llu -> %llu", &insn, &a, &b) == 3) {
		r->result = R_PATCHED;
		set_insn(r, insn);
		snprintf(r->orig, sizeof(r->orig), "%llu", a);
		snprintf(r->value, sizeof(r->value), "%llu", b);
		snprintf(r->patch, sizeof(r->patch), "%s",
			 strstr(m, "(ALU/ALU64)") ? "ALU/ALU64 imm" : strstr(m, "(LDIMM64)") ? "LDIMM64 imm64" : "LDX/ST/STX off");
		return;
	}
	if (sscanf(m, "patched insn #%ld (LDX/ST/STX) mem_sz %u -> %u", &insn, &ua, &ub) == 3) {
		snprintf(r->memsz, sizeof(r->memsz), "%u->%u", ua, ub);
		return;
	}
	if (sscanf(m, "substituting insn #%ld w/ invalid insn", &insn) == 1) {
		/* A failure after poisoning cannot happen; a failed record is never poisoned. */
		if (r->result != R_FAILED)
			r->result = R_POISONED;
		set_insn(r, insn);
		return;
	}
	if (sscanf(m, "failed to patch insn #%ld: %d", &insn, &err) == 2) {
		r->result = R_FAILED;
		set_insn(r, insn);
		set_error(r, m);
		return;
	}
	if (starts(m, "failed to relocate:") || starts(m, "failed to record relocation")) {
		r->result = R_FAILED;
		set_error(r, m);
		return;
	}
	/*
	 * Warnings: ambiguity, parse errors, anonymous types, unexpected insn
	 * values, mem-size poisoning ("accesses field incorrectly", which is
	 * followed by "substituting"). Those naming an insn give it to us.
	 */
	if (sscanf(m, "%*[^#]#%ld", &insn) == 1 && strstr(m, "insn #"))
		set_insn(r, insn);
	set_error(r, m);
}

static void parse_line(char *line)
{
	char prog[128], sec[128];
	int idx, count, n = 0;

	/*
	 * libbpf's prefix is part of each message; one warning ends in "\n "
	 * (error matching candidate), which indents the next message.
	 */
	while (*line == ' ')
		line++;
	if (starts(line, "libbpf: "))
		line += 8;
	/* "prog 'NAME': relo #N: ..." */
	if (sscanf(line, "prog '%127[^']': relo #%d: %n", prog, &idx, &n) == 2 && n > 0) {
		parse_relo_msg(find_relo(prog, idx), line + n);
		return;
	}
	/*
	 * "prog 'NAME': relo K at insn #I can't be ..." (bpf_core_calc_field_relo):
	 * K is the relocation KIND and I the section-relative insn, so this is
	 * attributed to the record being processed, not looked up by K.
	 */
	n = 0;
	if (sscanf(line, "prog '%127[^']': relo %d at insn #%*d %n", prog, &idx, &n) == 2 && n > 0) {
		if (current >= 0 && !strcmp(relos[current].prog, prog))
			set_error(&relos[current], strstr(line, ": ") + 2);
		return;
	}
	n = 0;
	if (sscanf(line, "sec '%127[^']': found %d CO-RE relocations%n", sec, &count, &n) == 2 && n > 0) {
		reached = 1;
		if (nsections < (int)(sizeof(sections) / sizeof(sections[0]))) {
			snprintf(sections[nsections].name, sizeof(sections[0].name), "%s", sec);
			sections[nsections++].count = count;
		}
		return;
	}
	if (strstr(line, "failed to perform CO-RE relocations"))
		core_failed = 1;
}

/* ---- JSON output --------------------------------------------------------- */

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_relo(const struct relo *r)
{
	static const char *names[] = { "none", "patched", "poisoned", "failed" };

	printf("{\"prog\":");
	json_str(r->prog);
	printf(",\"relo\":%d,\"insn\":", r->relo);
	if (r->insn >= 0)
		printf("%ld", r->insn);
	else
		printf("null");
	printf(",\"kind\":");
	json_str(r->kind);
	printf(",\"result\":\"%s\"", names[r->result]);
	if (r->result == R_PATCHED) {
		printf(",\"value\":\"%s\",\"orig\":\"%s\",\"patch\":", r->value, r->orig);
		json_str(r->patch);
	}
	if (r->memsz[0]) {
		printf(",\"memsz\":");
		json_str(r->memsz);
	}
	printf(",\"local\":");
	json_str(r->local);
	printf(",\"target\":");
	json_str(r->target);
	printf(",\"candidates\":%d,\"matching\":%d", r->candidates, r->matching);
	if (r->error[0]) {
		printf(",\"error\":");
		json_str(r->error);
	}
	printf("}\n");
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s OBJ.o TARGET_BTF\n", argv[0]);
		return 2;
	}
	/* Never hang a test run: a stuck verifier or kernel call ends here. */
	alarm(60);

	libbpf_set_print(capture);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = argv[2]);
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		err = -errno;
		fwrite(logbuf ? logbuf : "", 1, loglen, stderr);
		fprintf(stderr, "core-oracle: cannot open %s: %d\n", argv[1], err);
		return 2;
	}
	err = bpf_object__load(obj);
	bpf_object__close(obj);

	fwrite(logbuf ? logbuf : "", 1, loglen, stderr);

	for (char *line = logbuf, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		parse_line(line);
	}
	for (size_t i = 0; i < nrelos; i++)
		print_relo(&relos[i]);

	printf("{\"summary\":true,\"reached\":%s,\"coreFailed\":%s,\"loadErr\":%d,\"sections\":[",
	       reached ? "true" : "false", core_failed ? "true" : "false", err);
	for (int i = 0; i < nsections; i++) {
		printf("%s{\"name\":", i ? "," : "");
		json_str(sections[i].name);
		printf(",\"count\":%d}", sections[i].count);
	}
	printf("]}\n");
	return 0;
}
