/**
 * kconfig externs: our resolver against what libbpf 1.1.2 puts in the
 * .kconfig map. Each case is a small BPF program (compiled with clang) and a
 * config text; we check the values we expect, and, where libbpf can load
 * programs here, that libbpf's map holds the same bytes or that libbpf fails
 * where we fail.
 *
 * Both sides get the same inputs: the case text as libbpf's in-memory
 * `kconfig` option (our `kconfigString`), then the system config for what
 * is left (libbpf reads it itself; we are handed its bytes), this machine's
 * release for LINUX_KERNEL_VERSION, and the LINUX_HAS_* values libbpf
 * probed (read from its log).
 *
 * Intentional differences from libbpf 1.1.2, checked on our side only:
 * - no config at all and only weak CONFIG_ externs: we succeed (libbpf
 *   fails because it cannot open a config file);
 * - a lone `"` value: we reject it (1.1.2 copies bytes past the string;
 *   later libbpf rejects it too).
 */
import fs from "node:fs";
import fc from "fast-check";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { openBpfObject } from "../../src/btf/object.js";
import {
  assignKconfigOffsets,
  fillKconfig,
  kconfigLayout,
  kernelVersionCode,
  parseConfigInteger,
  resolveKconfig,
  type KconfigExtern,
  type KconfigLayout,
  type KconfigOptions,
  type KconfigResult,
} from "../../src/core/kconfig.js";
import { KconfigError } from "../../src/errors.js";
import { ROOT, clangBpf, libbpfDev, oracle } from "../helpers/env.js";
import { kconfigOracleWorks, libbpfKernelRelease, loggedVirtual, runKconfigOracle, systemKconfig } from "../helpers/kconfig-oracle.js";

// --- pure parts: no compiler needed ------------------------------------------------

describe("parseConfigInteger (C strtoull, base 0, whole string)", () => {
  const ok: Array<[string, bigint]> = [
    ["0", 0n],
    ["42", 42n],
    ["+42", 42n],
    ["  \t42", 42n],
    ["-1", (1n << 64n) - 1n],
    ["0x1f", 31n],
    ["0X1F", 31n],
    ["0755", 493n],
    ["00", 0n],
    ["18446744073709551615", (1n << 64n) - 1n],
    ["0xffffffffffffffff", (1n << 64n) - 1n],
    ["-18446744073709551615", 1n],
    ["-0x10", (1n << 64n) - 16n],
  ];
  it.each(ok)("%j -> %s", (s, v) => expect(parseConfigInteger(s)).toBe(v));

  const bad = ["", " ", "-", "+", "08", "0x", "0xg", "1e3", "42 ", "42\r", "18446744073709551616", "-18446744073709551616", "0x10000000000000000", "abc", "1_000"];
  it.each(bad)("%j is rejected", (s) => expect(typeof parseConfigInteger(s)).toBe("string"));
});

describe("kernelVersionCode (libbpf 1.1.2's sscanf of uname -r)", () => {
  const cases: Array<[string, number]> = [
    ["6.1.0-18-amd64", 0x060100],
    ["6.18.44-fc-v669", 0x06122c],
    ["5.4.300", 0x0504ff], // patch level clamps at 255
    ["4.19.260", 0x0413ff],
    ["5.15.0+", 0x050f00],
    ["5. 15. 3", 0x050f03], // %u skips white space before the number
    ["6.1", 0],
    ["6", 0],
    ["", 0],
    ["v6.1.0", 0],
    ["6 .1.0", 0], // but the dots must follow the digits directly
  ];
  it.each(cases)("%j -> %s", (r, v) => expect(kernelVersionCode(r)).toBe(v));
});

/** A layout built by hand: one extern of each class, all weak unless named *_STRONG. */
function handLayout(littleEndian = true): KconfigLayout {
  const mk = (name: string, cls: KconfigExtern["class"], size: number, align: number, signed = false): KconfigExtern => ({
    name, class: cls, offset: 0, size, align, signed, weak: !name.endsWith("_STRONG"), btfId: 0, symbolIndex: 0,
  });
  const externs = [
    mk("CONFIG_B", "bool", 1, 1),
    mk("CONFIG_T", "tristate", 4, 4),
    mk("CONFIG_C", "char", 1, 1, true),
    mk("CONFIG_I", "int", 4, 4, true),
    mk("CONFIG_U16", "int", 2, 2),
    mk("CONFIG_U64", "int", 8, 8),
    mk("CONFIG_S", "char_arr", 6, 1),
    mk("CONFIG_I_STRONG", "int", 4, 4, true),
  ];
  const size = assignKconfigOffsets(externs);
  return { externs, size, ksyms: [], littleEndian };
}

describe("fillKconfig without an object", () => {
  it("lays externs out by alignment, then size, then name, without tail padding", () => {
    const l = handLayout();
    expect(l.externs.map((e) => `${e.name}@${e.offset}`)).toEqual([
      "CONFIG_U64@0", "CONFIG_I@8", "CONFIG_I_STRONG@12", "CONFIG_T@16", "CONFIG_U16@20", "CONFIG_B@22", "CONFIG_C@23", "CONFIG_S@24",
    ]);
    expect(l.size).toBe(30);
  });

  it("no config at all and only weak CONFIG_ externs: all zero (libbpf would fail here)", () => {
    const l = handLayout();
    l.externs = l.externs.filter((e) => e.weak);
    l.size = assignKconfigOffsets(l.externs);
    const r = fillKconfig(l, {});
    expect([...r.data]).toEqual(new Array(l.size).fill(0));
    expect(r.externs.every((e) => e.source === "default")).toBe(true);
  });

  it("a missing strong extern names itself and the config read", () => {
    expect(() => fillKconfig(handLayout(), {})).toThrow(/'CONFIG_I_STRONG' \(strong\) is not resolved: no kernel config was given/);
    expect(() => fillKconfig(handLayout(), { config: "CONFIG_I=1\n", configName: "/boot/config-6.1" })).toThrow(
      /'CONFIG_I_STRONG' .*not set by \/boot\/config-6\.1/,
    );
  });

  it("reads the in-memory string first; the config only fills the rest", () => {
    const r = fillKconfig(handLayout(), { kconfigString: "CONFIG_I=1\nCONFIG_I_STRONG=2", config: "CONFIG_I=3\nCONFIG_U16=4\n" });
    const v = Object.fromEntries(r.externs.map((e) => [e.name, e.value]));
    expect(v).toMatchObject({ CONFIG_I: 1n, CONFIG_I_STRONG: 2n, CONFIG_U16: 4n });
    expect(r.externs.find((e) => e.name === "CONFIG_U16")?.source).toBe("config");
  });

  it("does not read the config once the string set everything", () => {
    const all = "CONFIG_B=y\nCONFIG_T=m\nCONFIG_C=n\nCONFIG_I=1\nCONFIG_U16=2\nCONFIG_U64=3\nCONFIG_S=\"s\"\nCONFIG_I_STRONG=4\n";
    expect(() => fillKconfig(handLayout(), { kconfigString: all, config: "CONFIG_BROKEN\n" })).not.toThrow();
    expect(() => fillKconfig(handLayout(), { kconfigString: "CONFIG_I_STRONG=4\n", config: "CONFIG_BROKEN\n" })).toThrow(KconfigError);
  });

  it("stops at a NUL in the in-memory string, and at a NUL within a config line", () => {
    const r = fillKconfig(handLayout(), { kconfigString: "CONFIG_I_STRONG=1\n\0CONFIG_BROKEN\n", config: "CONFIG_I=7\0junk\nCONFIG_U16=8\n" });
    const v = Object.fromEntries(r.externs.map((e) => [e.name, e.value]));
    expect(v).toMatchObject({ CONFIG_I: 7n, CONFIG_U16: 8n });
  });

  it("writes the object's byte order", () => {
    const opts: KconfigOptions = { kconfigString: "CONFIG_I_STRONG=0x01020304\nCONFIG_U16=0x0506\nCONFIG_T=m\n" };
    const le = fillKconfig(handLayout(true), opts);
    const be = fillKconfig(handLayout(false), opts);
    for (const e of le.externs) {
      if (e.class === "char_arr") continue;
      expect([...be.data.subarray(e.offset, e.offset + e.size)]).toEqual([...le.data.subarray(e.offset, e.offset + e.size)].reverse());
    }
    expect(be.externs.map((e) => e.value)).toEqual(le.externs.map((e) => e.value));
  });

  it("rejects a lone quote (libbpf 1.1.2 reads past the string there)", () => {
    expect(() => fillKconfig(handLayout(), { kconfigString: 'CONFIG_I_STRONG=1\nCONFIG_S="\n' })).toThrow(/no closing quote/);
  });

  it("virtual externs need a release only when declared", () => {
    const l = handLayout();
    l.externs = [{ name: "LINUX_KERNEL_VERSION", class: "int", offset: 0, size: 4, align: 4, signed: false, weak: false, btfId: 0, symbolIndex: 0 }];
    l.size = 4;
    expect(() => fillKconfig(l, {})).toThrow(/needs the target kernel release/);
    expect(() => fillKconfig(l, { kernelRelease: "garbage" })).toThrow(/cannot read a version/);
    expect([...fillKconfig(l, { kernelRelease: "6.1.0-18-amd64" }).data]).toEqual([0, 1, 6, 0]);
  });

  const lineArb = fc.oneof(
    fc.constantFrom("CONFIG_B", "CONFIG_T", "CONFIG_C", "CONFIG_I", "CONFIG_U16", "CONFIG_U64", "CONFIG_S", "CONFIG_I_STRONG", "CONFIG_OTHER", "# CONFIG_B is not set", "").chain((name) =>
      fc
        .tuple(
          fc.constantFrom("=", "", "==", " = "),
          fc.oneof(
            fc.constantFrom("y", "n", "m", "yes", '"', '""', '"abc"', '"abcdefgh"', "0x", "-", "08", "0755", "-1", "18446744073709551616", "\r", "y\r"),
            fc.bigInt({ min: -(1n << 65n), max: 1n << 65n }).map(String),
            fc.string({ maxLength: 12 }),
            fc.string({ maxLength: 8, unit: "binary" }).map((s) => `"${s}"`),
          ),
        )
        .map(([sep, value]) => `${name}${sep}${value}`),
    ),
    fc.string({ maxLength: 30, unit: "binary" }),
  );
  const textArb = fc.tuple(fc.array(lineArb, { maxLength: 12 }), fc.constantFrom("\n", "\r\n", "\0\n")).map(([lines, nl]) => lines.join(nl));

  it("random config texts: a result or a KconfigError, never anything else", () => {
    fc.assert(
      fc.property(textArb, fc.option(textArb, { nil: undefined }), fc.boolean(), (config, kconfigString, le) => {
        try {
          const r = fillKconfig(handLayout(le), { config, kconfigString, configName: "random" });
          expect(r.data.length).toBe(r.size);
          const s = r.externs.find((e) => e.name === "CONFIG_S")!;
          // A string always keeps its NUL inside the array.
          expect(r.data.subarray(s.offset, s.offset + s.size).includes(0)).toBe(true);
        } catch (e) {
          if (!(e instanceof KconfigError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("random layouts: aligned, in libbpf's order, no overlap, no tail padding", () => {
    const extArb = fc.record({
      name: fc.stringMatching(/^CONFIG_[A-Z]{1,3}$/),
      size: fc.integer({ min: 1, max: 40 }),
      align: fc.constantFrom(1, 2, 4, 8),
    });
    fc.assert(
      fc.property(fc.uniqueArray(extArb, { selector: (e) => e.name, maxLength: 12 }), (specs) => {
        const externs: KconfigExtern[] = specs.map((s) => ({ ...s, class: "char_arr", offset: 0, signed: false, weak: true, btfId: 0, symbolIndex: 0 }));
        const size = assignKconfigOffsets(externs);
        let end = 0;
        for (let i = 0; i < externs.length; i++) {
          const e = externs[i];
          expect(e.offset % e.align).toBe(0);
          expect(e.offset).toBeGreaterThanOrEqual(end);
          expect(e.offset - end).toBeLessThan(e.align);
          end = e.offset + e.size;
          if (i > 0) {
            const p = externs[i - 1];
            expect(p.align > e.align || (p.align === e.align && (p.size < e.size || (p.size === e.size && p.name < e.name)))).toBe(true);
          }
        }
        expect(size).toBe(end);
      }),
    );
  });
});

// --- compiled programs and the libbpf differential --------------------------------

const TRISTATE = "enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };\n";
const HEADER = `#define __kconfig __attribute__((section(".kconfig")))
#define __weak __attribute__((weak))
#define PROG(expr) __attribute__((section("socket"), used)) int prog(void *ctx) { return (int)(expr); } \\
  char _license[] __attribute__((section("license"), used)) = "GPL";
`;

/** Programs: extern declarations and an expression reading every one (so clang keeps them). */
const PROGS: Record<string, { src: string; clang?: string }> = {
  types: {
    src: `typedef unsigned int btfkit_u32;
extern _Bool CONFIG_BTFKIT_BOOL __kconfig __weak;
extern enum libbpf_tristate CONFIG_BTFKIT_TRI __kconfig __weak;
extern char CONFIG_BTFKIT_CHAR __kconfig __weak;
extern unsigned char CONFIG_BTFKIT_UCHAR __kconfig __weak;
extern signed char CONFIG_BTFKIT_SCHAR __kconfig __weak;
extern short CONFIG_BTFKIT_S16 __kconfig __weak;
extern unsigned short CONFIG_BTFKIT_U16 __kconfig __weak;
extern int CONFIG_BTFKIT_INT __kconfig __weak;
extern unsigned int CONFIG_BTFKIT_UINT __kconfig __weak;
extern long long CONFIG_BTFKIT_S64 __kconfig __weak;
extern unsigned long long CONFIG_BTFKIT_U64 __kconfig __weak;
extern char CONFIG_BTFKIT_STR[8] __kconfig __weak;
extern char CONFIG_BTFKIT_STR1[1] __kconfig __weak;
extern unsigned char CONFIG_BTFKIT_USTR[5] __kconfig __weak;
extern const volatile btfkit_u32 CONFIG_BTFKIT_TYPEDEF __kconfig __weak;
PROG(CONFIG_BTFKIT_BOOL + CONFIG_BTFKIT_TRI + CONFIG_BTFKIT_CHAR + CONFIG_BTFKIT_UCHAR + CONFIG_BTFKIT_SCHAR + CONFIG_BTFKIT_S16
  + CONFIG_BTFKIT_U16 + CONFIG_BTFKIT_INT + CONFIG_BTFKIT_UINT + CONFIG_BTFKIT_S64 + CONFIG_BTFKIT_U64 + CONFIG_BTFKIT_STR[0]
  + CONFIG_BTFKIT_STR1[0] + CONFIG_BTFKIT_USTR[0] + CONFIG_BTFKIT_TYPEDEF)`,
  },
  strong: {
    src: `extern int CONFIG_BTFKIT_NEED __kconfig;
extern _Bool CONFIG_BTFKIT_OPT __kconfig __weak;
PROG(CONFIG_BTFKIT_NEED + CONFIG_BTFKIT_OPT)`,
  },
  virtual: {
    src: `extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern _Bool LINUX_HAS_BPF_COOKIE __kconfig;
extern _Bool LINUX_HAS_SYSCALL_WRAPPER __kconfig;
extern int LINUX_BTFKIT_FUTURE __kconfig __weak;
extern unsigned long long CONFIG_BTFKIT_U64 __kconfig __weak;
PROG(LINUX_KERNEL_VERSION + LINUX_HAS_BPF_COOKIE + LINUX_HAS_SYSCALL_WRAPPER + LINUX_BTFKIT_FUTURE + CONFIG_BTFKIT_U64)`,
  },
  version_u64: { src: `extern unsigned long long LINUX_KERNEL_VERSION __kconfig;\nPROG(LINUX_KERNEL_VERSION)` },
  version_u16: { src: `extern unsigned short LINUX_KERNEL_VERSION __kconfig;\nPROG(LINUX_KERNEL_VERSION)` },
  cookie_int: { src: `extern long long LINUX_HAS_BPF_COOKIE __kconfig;\nPROG(LINUX_HAS_BPF_COOKIE)` },
  linux_unknown_strong: { src: `extern int LINUX_BTFKIT_FUTURE __kconfig;\nPROG(LINUX_BTFKIT_FUTURE)` },
  linux_tristate_weak: { src: `extern enum libbpf_tristate LINUX_BTFKIT_T __kconfig __weak;\nPROG(LINUX_BTFKIT_T)` },
  no_prefix_weak: { src: `extern int BTFKIT_NO_PREFIX __kconfig __weak;\nPROG(BTFKIT_NO_PREFIX)` },
  ptr: { src: `extern int *CONFIG_BTFKIT_PTR __kconfig __weak;\nPROG(CONFIG_BTFKIT_PTR != 0)` },
  other_enum: { src: `enum btfkit_other { A, B };\nextern enum btfkit_other CONFIG_BTFKIT_E __kconfig __weak;\nPROG(CONFIG_BTFKIT_E)` },
  int128: { src: `extern __int128 CONFIG_BTFKIT_I128 __kconfig __weak;\nPROG(CONFIG_BTFKIT_I128)` },
  bool_array: { src: `extern _Bool CONFIG_BTFKIT_BA[4] __kconfig __weak;\nPROG(CONFIG_BTFKIT_BA[0])` },
  struct: { src: `struct btfkit_s { int a; };\nextern struct btfkit_s CONFIG_BTFKIT_S __kconfig __weak;\nPROG(CONFIG_BTFKIT_S.a)` },
  char_matrix: { src: `extern char CONFIG_BTFKIT_M[2][4] __kconfig __weak;\nPROG(CONFIG_BTFKIT_M[0][0])` },
  // The facts file's layout table, with our own names: mixed alignments and sizes.
  layout: {
    src: `extern unsigned long long CONFIG_BTFKIT_L8 __kconfig __weak;
extern int CONFIG_BTFKIT_L4 __kconfig __weak;
extern enum libbpf_tristate CONFIG_BTFKIT_LT __kconfig __weak;
extern unsigned int CONFIG_BTFKIT_LA __kconfig __weak;
extern unsigned short CONFIG_BTFKIT_L2 __kconfig __weak;
extern _Bool CONFIG_BTFKIT_LB __kconfig __weak;
extern char CONFIG_BTFKIT_LC __kconfig __weak;
extern _Bool CONFIG_BTFKIT_LB2 __kconfig __weak;
extern char CONFIG_BTFKIT_LS[16] __kconfig __weak;
extern char CONFIG_BTFKIT_LS3[3] __kconfig __weak;
PROG(CONFIG_BTFKIT_L8 + CONFIG_BTFKIT_L4 + CONFIG_BTFKIT_LT + CONFIG_BTFKIT_LA + CONFIG_BTFKIT_L2 + CONFIG_BTFKIT_LB
  + CONFIG_BTFKIT_LC + CONFIG_BTFKIT_LB2 + CONFIG_BTFKIT_LS[0] + CONFIG_BTFKIT_LS3[0])`,
  },
  // Real option names, so the unset ones come from this machine's config.
  system: {
    src: `extern int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern enum libbpf_tristate CONFIG_IPV6 __kconfig __weak;
extern char CONFIG_DEFAULT_HOSTNAME[16] __kconfig __weak;
extern unsigned int CONFIG_NR_CPUS __kconfig __weak;
extern char CONFIG_X86 __kconfig __weak;
extern int CONFIG_BTFKIT_ABSENT __kconfig __weak;
PROG(CONFIG_HZ + CONFIG_BPF_SYSCALL + CONFIG_IPV6 + CONFIG_DEFAULT_HOSTNAME[0] + CONFIG_NR_CPUS + CONFIG_X86 + CONFIG_BTFKIT_ABSENT)`,
  },
  enum64: {
    clang: "clang-16",
    // A 64-bit enumerator makes clang >= 15 emit ENUM64 (size 8).
    src: `enum libbpf_tristate { TRI64_NO = 0, TRI64_YES = 1, TRI64_MODULE = 2, TRI64_BIG = 0x100000000ULL };
extern enum libbpf_tristate CONFIG_BTFKIT_T64 __kconfig __weak;
extern int CONFIG_BTFKIT_AFTER __kconfig __weak;
PROG(CONFIG_BTFKIT_T64 + CONFIG_BTFKIT_AFTER)`,
  },
};

interface Case {
  name: string;
  prog: keyof typeof PROGS;
  /** The in-memory config (libbpf's `kconfig` option); undefined: none. */
  kconfig?: string;
  /** Values we expect (externs not named: 0 / ""), or the error we expect. */
  expect: Record<string, bigint | string> | RegExp;
  warnings?: number;
}

const M64 = (1n << 64n) - 1n;
const long = (n: number) => "x".repeat(n);

const CASES: Case[] = [
  // bool, tristate, char: only the first character of y/n/m counts
  { name: "bool y, tristate m", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=y\nCONFIG_BTFKIT_TRI=m\n", expect: { CONFIG_BTFKIT_BOOL: 1n, CONFIG_BTFKIT_TRI: 2n } },
  { name: "bool n, tristate y", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=n\nCONFIG_BTFKIT_TRI=y\n", expect: { CONFIG_BTFKIT_TRI: 1n } },
  { name: "yes / mips read as y / m", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=yes\nCONFIG_BTFKIT_TRI=mips\n", expect: { CONFIG_BTFKIT_BOOL: 1n, CONFIG_BTFKIT_TRI: 2n } },
  { name: "bool m is an error", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=m\n", expect: /needs a tristate or char/ },
  { name: "a number for a bool is an error", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=1\n", expect: /needs an integer or char extern, not bool/ },
  { name: "a number for a tristate is an error", prog: "types", kconfig: "CONFIG_BTFKIT_TRI=2\n", expect: /not tristate/ },
  { name: "y for an int is an error", prog: "types", kconfig: "CONFIG_BTFKIT_INT=y\n", expect: /not int/ },
  { name: "chars from y/n/m and numbers", prog: "types", kconfig: "CONFIG_BTFKIT_CHAR=y\nCONFIG_BTFKIT_UCHAR=0xff\nCONFIG_BTFKIT_SCHAR=-128\n", expect: { CONFIG_BTFKIT_CHAR: 121n, CONFIG_BTFKIT_UCHAR: 255n, CONFIG_BTFKIT_SCHAR: -128n } },
  { name: "char m and n", prog: "types", kconfig: "CONFIG_BTFKIT_CHAR=m\nCONFIG_BTFKIT_UCHAR=n\n", expect: { CONFIG_BTFKIT_CHAR: 109n, CONFIG_BTFKIT_UCHAR: 110n } },
  { name: "signed char 128 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_SCHAR=128\n", expect: /does not fit in 1 signed/ },
  { name: "plain char is signed: 200 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_CHAR=200\n", expect: /does not fit/ },
  { name: "unsigned char -1 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_UCHAR=-1\n", expect: /does not fit in 1 unsigned/ },
  // integers
  {
    name: "limits of every size",
    prog: "types",
    kconfig: "CONFIG_BTFKIT_S16=-32768\nCONFIG_BTFKIT_U16=65535\nCONFIG_BTFKIT_INT=-2147483648\nCONFIG_BTFKIT_UINT=0xffffffff\nCONFIG_BTFKIT_S64=-1\nCONFIG_BTFKIT_U64=18446744073709551615\n",
    expect: { CONFIG_BTFKIT_S16: -32768n, CONFIG_BTFKIT_U16: 65535n, CONFIG_BTFKIT_INT: -2147483648n, CONFIG_BTFKIT_UINT: 0xffffffffn, CONFIG_BTFKIT_S64: -1n, CONFIG_BTFKIT_U64: M64 },
  },
  { name: "int 2147483648 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_INT=2147483648\n", expect: /does not fit in 4 signed/ },
  { name: "int -2147483649 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_INT=-2147483649\n", expect: /does not fit/ },
  { name: "u16 65536 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_U16=65536\n", expect: /does not fit in 2 unsigned/ },
  { name: "u16 -1 overflows", prog: "types", kconfig: "CONFIG_BTFKIT_U16=-1\n", expect: /does not fit/ },
  { name: "u64 2^64 is out of range", prog: "types", kconfig: "CONFIG_BTFKIT_U64=18446744073709551616\n", expect: /64-bit range/ },
  { name: "u64 -(2^64-1) wraps to 1", prog: "types", kconfig: "CONFIG_BTFKIT_U64=-18446744073709551615\n", expect: { CONFIG_BTFKIT_U64: 1n } },
  { name: "s64 takes any 64-bit pattern", prog: "types", kconfig: "CONFIG_BTFKIT_S64=0x8000000000000000\n", expect: { CONFIG_BTFKIT_S64: -(1n << 63n) } },
  { name: "hex, octal, sign, leading blanks", prog: "types", kconfig: "CONFIG_BTFKIT_INT=0X1f\nCONFIG_BTFKIT_UINT=0755\nCONFIG_BTFKIT_S16=+12\nCONFIG_BTFKIT_U16= \t7\n", expect: { CONFIG_BTFKIT_INT: 31n, CONFIG_BTFKIT_UINT: 493n, CONFIG_BTFKIT_S16: 12n, CONFIG_BTFKIT_U16: 7n } },
  { name: "08 is not octal", prog: "types", kconfig: "CONFIG_BTFKIT_INT=08\n", expect: /trailing characters/ },
  { name: "0x alone", prog: "types", kconfig: "CONFIG_BTFKIT_INT=0x\n", expect: /trailing characters/ },
  { name: "trailing blank", prog: "types", kconfig: "CONFIG_BTFKIT_INT=5 \n", expect: /trailing/ },
  { name: "1e3", prog: "types", kconfig: "CONFIG_BTFKIT_INT=1e3\n", expect: /trailing/ },
  { name: "typedef'd const volatile u32", prog: "types", kconfig: "CONFIG_BTFKIT_TYPEDEF=4000000000\n", expect: { CONFIG_BTFKIT_TYPEDEF: 4000000000n } },
  // strings
  { name: "string with zero padding", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="abc"\n', expect: { CONFIG_BTFKIT_STR: "abc" } },
  { name: "string of exactly size-1", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="abcdefg"\n', expect: { CONFIG_BTFKIT_STR: "abcdefg" } },
  { name: "string truncated with a warning", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="abcdefghij"\n', expect: { CONFIG_BTFKIT_STR: "abcdefg" }, warnings: 1 },
  { name: "one-byte array holds only the NUL", prog: "types", kconfig: 'CONFIG_BTFKIT_STR1="x"\nCONFIG_BTFKIT_USTR="hello"\n', expect: { CONFIG_BTFKIT_USTR: "hell" }, warnings: 2 },
  { name: "empty string", prog: "types", kconfig: 'CONFIG_BTFKIT_STR=""\n', expect: {} },
  { name: "no unescaping inside quotes", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="a\\"b"\n', expect: { CONFIG_BTFKIT_STR: 'a\\"b' } },
  { name: "quotes inside the value", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="a"b"\n', expect: { CONFIG_BTFKIT_STR: 'a"b' } },
  { name: "non-ASCII bytes are copied", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="é€"\n', expect: { CONFIG_BTFKIT_STR: "é€" } },
  { name: "unterminated string", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="abc\n', expect: /no closing quote/ },
  { name: "unquoted string is a bad number", prog: "types", kconfig: "CONFIG_BTFKIT_STR=abc\n", expect: /not a number/ },
  { name: "number for a string", prog: "types", kconfig: "CONFIG_BTFKIT_STR=5\n", expect: /not char_arr/ },
  { name: "y for a string", prog: "types", kconfig: "CONFIG_BTFKIT_STR=y\n", expect: /not char_arr/ },
  { name: "string for an int", prog: "types", kconfig: 'CONFIG_BTFKIT_INT="5"\n', expect: /needs a char array/ },
  // line rules
  { name: "'is not set' comments leave the extern unset", prog: "types", kconfig: "# CONFIG_BTFKIT_BOOL is not set\n", expect: {} },
  { name: "...and a later line still sets it", prog: "types", kconfig: "# CONFIG_BTFKIT_BOOL is not set\nCONFIG_BTFKIT_BOOL=y\n", expect: { CONFIG_BTFKIT_BOOL: 1n } },
  { name: "line without '=' fails the load", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL\n", expect: /has no '='/ },
  { name: "...even for an option no extern wants", prog: "types", kconfig: "CONFIG_SOMETHING_ELSE\n", expect: /has no '='/ },
  { name: "empty value fails", prog: "types", kconfig: "CONFIG_BTFKIT_INT=\n", expect: /has no value/ },
  { name: "...even for an option no extern wants", prog: "types", kconfig: "CONFIG_SOMETHING_ELSE=\n", expect: /has no value/ },
  { name: "bad values of other options are ignored", prog: "types", kconfig: "CONFIG_SOMETHING_ELSE=zzz\nCONFIG_BTFKIT_INT=3", expect: { CONFIG_BTFKIT_INT: 3n } },
  { name: "first occurrence wins, later bad values unseen", prog: "types", kconfig: "CONFIG_BTFKIT_INT=1\nCONFIG_BTFKIT_INT=2\nCONFIG_BTFKIT_INT=junk\n", expect: { CONFIG_BTFKIT_INT: 1n } },
  { name: "CRLF: y\\r is still y", prog: "types", kconfig: "CONFIG_BTFKIT_BOOL=y\r\nCONFIG_BTFKIT_TRI=m\r\n", expect: { CONFIG_BTFKIT_BOOL: 1n, CONFIG_BTFKIT_TRI: 2n } },
  { name: "CRLF: a number with \\r fails", prog: "types", kconfig: "CONFIG_BTFKIT_INT=5\r\n", expect: /trailing/ },
  { name: "CRLF: a string with \\r fails", prog: "types", kconfig: 'CONFIG_BTFKIT_STR="ab"\r\n', expect: /no closing quote/ },
  { name: "indented, commented and blank lines are skipped", prog: "types", kconfig: "\n#\n  CONFIG_BTFKIT_INT=5\nXCONFIG_BTFKIT_INT=6\nconfig_btfkit_int=7\n", expect: {} },
  { name: "no newline at the end", prog: "types", kconfig: "CONFIG_BTFKIT_U16=9", expect: { CONFIG_BTFKIT_U16: 9n } },
  { name: "lines past 4095 bytes are read in pieces", prog: "types", kconfig: `#${long(4094)}CONFIG_BTFKIT_INT=7\n`, expect: { CONFIG_BTFKIT_INT: 7n } },
  { name: "a long string value is cut at the buffer", prog: "types", kconfig: `CONFIG_BTFKIT_STR="${long(5000)}"\n`, expect: /no closing quote/ },
  // weak and strong
  { name: "strong extern set", prog: "strong", kconfig: "CONFIG_BTFKIT_NEED=-5\n", expect: { CONFIG_BTFKIT_NEED: -5n } },
  { name: "strong extern missing", prog: "strong", kconfig: "CONFIG_BTFKIT_OPT=y\n", expect: /'CONFIG_BTFKIT_NEED' \(strong\) is not resolved/ },
  { name: "strong extern missing, no in-memory config", prog: "strong", expect: /'CONFIG_BTFKIT_NEED' \(strong\) is not resolved/ },
  { name: "weak externs only, no in-memory config", prog: "types", expect: {} },
  // virtual externs
  { name: "LINUX_ externs", prog: "virtual", kconfig: "CONFIG_BTFKIT_U64=1\n", expect: { CONFIG_BTFKIT_U64: 1n } },
  { name: "LINUX_KERNEL_VERSION as u64", prog: "version_u64", expect: {} },
  { name: "LINUX_KERNEL_VERSION does not fit a u16", prog: "version_u16", expect: /does not fit in 2/ },
  { name: "LINUX_HAS_BPF_COOKIE as a long long", prog: "cookie_int", expect: {} },
  { name: "unknown strong LINUX_ extern", prog: "linux_unknown_strong", expect: /not a virtual extern/ },
  { name: "unknown weak LINUX_ tristate cannot take 0", prog: "linux_tristate_weak", expect: /not tristate/ },
  { name: "weak extern without CONFIG_/LINUX_ prefix", prog: "no_prefix_weak", expect: /must start with CONFIG_ or LINUX_/ },
  // types kconfig cannot hold
  { name: "pointer", prog: "ptr", expect: /type is unsupported/ },
  { name: "enum not named libbpf_tristate", prog: "other_enum", expect: /type is unsupported/ },
  { name: "__int128", prog: "int128", expect: /type is unsupported/ },
  { name: "bool array", prog: "bool_array", expect: /type is unsupported/ },
  { name: "struct", prog: "struct", expect: /type is unsupported/ },
  { name: "array of char arrays", prog: "char_matrix", expect: /type is unsupported/ },
  // layout
  {
    name: "mixed layout",
    prog: "layout",
    kconfig: 'CONFIG_BTFKIT_L8=0x1122334455667788\nCONFIG_BTFKIT_L4=-2\nCONFIG_BTFKIT_LT=y\nCONFIG_BTFKIT_LA=3\nCONFIG_BTFKIT_L2=0x0102\nCONFIG_BTFKIT_LB=y\nCONFIG_BTFKIT_LC=m\nCONFIG_BTFKIT_LS="hostname"\nCONFIG_BTFKIT_LS3="ab"\n',
    expect: { CONFIG_BTFKIT_L8: 0x1122334455667788n, CONFIG_BTFKIT_L4: -2n, CONFIG_BTFKIT_LT: 1n, CONFIG_BTFKIT_LA: 3n, CONFIG_BTFKIT_L2: 0x102n, CONFIG_BTFKIT_LB: 1n, CONFIG_BTFKIT_LC: 109n, CONFIG_BTFKIT_LS: "hostname", CONFIG_BTFKIT_LS3: "ab" },
  },
  // this machine's config fills what the string leaves
  { name: "system config", prog: "system", expect: {} },
  { name: "in-memory string beats the system config", prog: "system", kconfig: "CONFIG_HZ=1234\nCONFIG_DEFAULT_HOSTNAME=\"btfkit\"\n", expect: { CONFIG_HZ: 1234n, CONFIG_DEFAULT_HOSTNAME: "btfkit" } },
  { name: "ENUM64 libbpf_tristate", prog: "enum64", kconfig: "CONFIG_BTFKIT_T64=m\nCONFIG_BTFKIT_AFTER=-1\n", expect: { CONFIG_BTFKIT_T64: 2n, CONFIG_BTFKIT_AFTER: -1n } },
];

const haveClang = oracle("clang");

describe.skipIf(!haveClang)("kconfig externs of compiled programs", () => {
  const system = systemKconfig();
  const release = libbpfKernelRelease();
  let differential = false;
  const objects = new Map<string, string>();

  beforeAll(() => {
    differential = oracle("gcc") && libbpfDev() && kconfigOracleWorks();
  });

  function objectFor(prog: string, target = "bpfel"): string | undefined {
    const key = `${prog}/${target}`;
    let p = objects.get(key);
    if (!p) {
      const spec = PROGS[prog];
      const clang = spec.clang ?? "clang";
      if (clang !== "clang" && !oracle(clang)) return undefined;
      // A program may bring its own libbpf_tristate (the ENUM64 one).
      const header = spec.src.includes("enum libbpf_tristate {") ? HEADER : TRISTATE + HEADER;
      p = clangBpf(header + spec.src, { clang, flags: ["-target", target] });
      objects.set(key, p);
    }
    return p;
  }

  function ours(objPath: string, c: Case, extra: Partial<KconfigOptions> = {}): KconfigResult | KconfigError {
    try {
      return resolveKconfig(openBpfObject(new Uint8Array(fs.readFileSync(objPath))), {
        kconfigString: c.kconfig,
        config: system?.bytes,
        configName: system?.name,
        kernelRelease: release,
        ...extra,
      });
    } catch (e) {
      if (e instanceof KconfigError) return e;
      throw e;
    }
  }

  function checkExpected(c: Case, r: KconfigResult | KconfigError, virtual: { cookie: boolean; wrapper: boolean }): void {
    if (c.expect instanceof RegExp) {
      expect(r).toBeInstanceOf(KconfigError);
      expect((r as KconfigError).message).toMatch(c.expect);
      return;
    }
    if (r instanceof KconfigError) throw r;
    expect(r.warnings.length).toBe(c.warnings ?? 0);
    const expected: Record<string, bigint | string> = {};
    for (const e of r.externs) {
      if (c.prog === "system" && e.source === "config") continue; // this machine's values
      expected[e.name] = e.class === "char_arr" ? "" : 0n;
    }
    Object.assign(expected, c.expect);
    if ("LINUX_KERNEL_VERSION" in expected) expected.LINUX_KERNEL_VERSION = BigInt(kernelVersionCode(release));
    if ("LINUX_HAS_BPF_COOKIE" in expected) expected.LINUX_HAS_BPF_COOKIE = virtual.cookie ? 1n : 0n;
    if ("LINUX_HAS_SYSCALL_WRAPPER" in expected) expected.LINUX_HAS_SYSCALL_WRAPPER = virtual.wrapper ? 1n : 0n;
    const got = Object.fromEntries(r.externs.filter((e) => e.name in expected).map((e) => [e.name, e.value]));
    expect(got).toEqual(expected);
  }

  it.each(CASES)("$name", (c) => {
    const obj = objectFor(c.prog);
    if (!obj) return; // needs clang-16
    if (!differential) {
      checkExpected(c, ours(obj, c), { cookie: false, wrapper: false });
      return;
    }
    const lib = runKconfigOracle(obj, c.kconfig);
    const virtual = { cookie: loggedVirtual(lib.log, "LINUX_HAS_BPF_COOKIE") === 1n, wrapper: loggedVirtual(lib.log, "LINUX_HAS_SYSCALL_WRAPPER") === 1n };
    const r = ours(obj, c, { hasBpfCookie: virtual.cookie, hasSyscallWrapper: virtual.wrapper });
    checkExpected(c, r, virtual);
    if (r instanceof KconfigError) {
      expect(lib.ok, `libbpf loaded what we reject (${r.message})`).toBe(false);
    } else {
      expect(lib.ok, `libbpf failed (${lib.stage} ${lib.err}) where we succeed:\n${lib.log.slice(-1500)}`).toBe(true);
      expect(Buffer.from(r.data).toString("hex")).toBe(Buffer.from(lib.data ?? []).toString("hex"));
    }
  });

  it("layout offsets of the mixed program", () => {
    const l = kconfigLayout(openBpfObject(new Uint8Array(fs.readFileSync(objectFor("layout")!))));
    expect(l.externs.map((e) => `${e.name}@${e.offset}:${e.size}`)).toEqual([
      "CONFIG_BTFKIT_L8@0:8",
      "CONFIG_BTFKIT_L4@8:4",
      "CONFIG_BTFKIT_LA@12:4",
      "CONFIG_BTFKIT_LT@16:4",
      "CONFIG_BTFKIT_L2@20:2",
      "CONFIG_BTFKIT_LB@22:1",
      "CONFIG_BTFKIT_LB2@23:1",
      "CONFIG_BTFKIT_LC@24:1",
      "CONFIG_BTFKIT_LS3@25:3",
      "CONFIG_BTFKIT_LS@28:16",
    ]);
    expect(l.size).toBe(44);
    expect(l.externs.find((e) => e.name === "CONFIG_BTFKIT_L4")?.weak).toBe(true);
    expect(l.datasecId).toBeGreaterThan(0);
  });

  it("big-endian objects get big-endian values at the same offsets", () => {
    const c = CASES.find((x) => x.name === "mixed layout")!;
    const le = ours(objectFor("layout")!, c);
    const be = ours(objectFor("layout", "bpfeb")!, c);
    if (le instanceof KconfigError || be instanceof KconfigError) throw le instanceof KconfigError ? le : be;
    expect(be.externs.map((e) => [e.name, e.offset, e.value])).toEqual(le.externs.map((e) => [e.name, e.offset, e.value]));
    expect(Buffer.from(be.data.subarray(0, 8)).toString("hex")).toBe("1122334455667788");
  });

  it("only the intentional difference: weak externs and no config at all", () => {
    const r = ours(objectFor("types")!, { name: "", prog: "types", expect: {} }, { config: undefined });
    expect(r).not.toBeInstanceOf(KconfigError);
    const s = ours(objectFor("strong")!, { name: "", prog: "strong", expect: {} }, { config: undefined });
    expect((s as KconfigError).message).toMatch(/'CONFIG_BTFKIT_NEED' \(strong\) is not resolved: no kernel config was given/);
  });

  it(".ksyms externs are listed, not resolved, and do not block", () => {
    const obj = clangBpf(
      `${TRISTATE}${HEADER}extern int bpf_prog_active __attribute__((section(".ksyms")));
extern int CONFIG_BTFKIT_INT __kconfig __weak;
PROG(bpf_prog_active + CONFIG_BTFKIT_INT)`,
      { flags: ["-target", "bpfel"] },
    );
    const r = resolveKconfig(openBpfObject(new Uint8Array(fs.readFileSync(obj))), { kconfigString: "CONFIG_BTFKIT_INT=3\n" });
    expect(r.ksyms).toEqual(["bpf_prog_active"]);
    expect(r.externs.map((e) => [e.name, e.value])).toEqual([["CONFIG_BTFKIT_INT", 3n]]);
  });
});

describe("virtual externs implied by a target's BTF", () => {
  it("every fixture kernel has bpf cookies and syscall wrappers; a bare BTF has neither", async () => {
    const { virtualExternsFromBtf, Btf: B, BtfBuilder } = await import("../../src/index.js");
    const { VMLINUX_FIXTURES, vmlinuxPath } = await import("../helpers/env.js");
    const fsm = await import("node:fs");
    for (const name of VMLINUX_FIXTURES) {
      const btf = B.parse(new Uint8Array(fsm.readFileSync(vmlinuxPath(name))));
      expect(virtualExternsFromBtf(btf), name).toEqual({ hasBpfCookie: true, hasSyscallWrapper: true });
    }
    const bare = new BtfBuilder();
    bare.add({ kind: "int", name: "int", size: 4, encoding: 1, bitOffset: 0, bits: 32 });
    expect(virtualExternsFromBtf(bare.build())).toEqual({ hasBpfCookie: false, hasSyscallWrapper: false });
  });
});

// --- long lines and big configs ------------------------------------------------------

/**
 * A config whose one long line (`mib` MiB) is cut by libbpf's 4096-byte
 * buffer into pieces that each start with CONFIG_ (the costliest case: every
 * piece is decoded and looked up), then the lines that set the strong extern.
 */
function longLineConfig(mib: number): Uint8Array {
  const unit = new TextEncoder().encode(`CONFIG_PAD=${"x".repeat(4095 - 11)}`);
  const tail = new TextEncoder().encode('\nCONFIG_I_STRONG=7\nCONFIG_S="ok"\n');
  const units = Math.ceil((mib << 20) / unit.length);
  const out = new Uint8Array(units * unit.length + tail.length);
  for (let i = 0; i < units; i++) out.set(unit, i * unit.length);
  out.set(tail, units * unit.length);
  return out;
}

/** Bytes the parser searched (Uint8Array indexOf) and characters it decoded (String.fromCharCode) while `run` ran. */
function work(run: () => void): { searched: number; decoded: number } {
  let searched = 0;
  let decoded = 0;
  const indexOf = Uint8Array.prototype.indexOf;
  const fromCharCode = String.fromCharCode;
  const search = vi.spyOn(Uint8Array.prototype, "indexOf").mockImplementation(function (this: Uint8Array, v: number, from = 0) {
    const r = indexOf.call(this, v, from);
    searched += (r < 0 ? this.length : r + 1) - Math.max(0, from);
    return r;
  });
  const decode = vi.spyOn(String, "fromCharCode").mockImplementation((...codes: number[]) => {
    decoded += codes.length;
    return fromCharCode(...codes);
  });
  try {
    run();
  } finally {
    search.mockRestore();
    decode.mockRestore();
  }
  return { searched, decoded };
}

describe("long config lines: linear work, bounded memory", () => {
  it.each([1, 16])("a %i MiB line is searched and decoded about once per byte, as bytes and as a string", (mib) => {
    const config = longLineConfig(mib);
    const asText = new TextDecoder().decode(config);
    for (const opts of [{ config }, { config: asText }, { kconfigString: asText }]) {
      let r: KconfigResult | undefined;
      const w = work(() => (r = fillKconfig(handLayout(), opts)));
      expect(r!.externs.find((e) => e.name === "CONFIG_S")!.value).toBe("ok");
      // Each byte is passed once by the line search and once by the NUL search of its piece; decoded at most once.
      expect(w.searched).toBeLessThanOrEqual(2 * config.length + 64);
      expect(w.decoded).toBeLessThanOrEqual(config.length + 1024);
      expect(w.decoded).toBeGreaterThan(config.length / 2);
    }
  });

  it("a 16 MiB line parses under a 64 MiB heap, as bytes and as a string (the timeout only catches a hang)", () => {
    const script = `
      const { fillKconfig } = await import(${JSON.stringify(path.join(ROOT, "dist/index.js"))});
      const name = "CONFIG_S";
      const ext = { name, class: "char_arr", offset: 0, size: 6, align: 1, signed: false, weak: false, btfId: 0, symbolIndex: 0 };
      const layout = { externs: [ext], size: 6, ksyms: [], littleEndian: true };
      const n = 16 << 20;
      const bytes = new Uint8Array(n + 16);
      bytes.fill(0x61, 0, n);
      bytes.set(new TextEncoder().encode('\\nCONFIG_S="ok"\\n'), n);
      const a = fillKconfig(layout, { config: bytes }).externs[0].value;
      const b = fillKconfig(layout, { kconfigString: "# CONFIG_".padEnd(n, "b") + '\\nCONFIG_S="ok"\\n' }).externs[0].value;
      process.stdout.write(a + b);
    `;
    const r = spawnSync(process.execPath, ["--max-old-space-size=64", "--input-type=module", "-e", script], { encoding: "utf8", timeout: 120_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("okok");
  });
});
