/**
 * `core explain` and `.kconfig` externs: explainObject decides the externs
 * exactly as relocateForLoad does (the same values and sources, the same
 * failure message, the config read under the same condition), and, where
 * libbpf 1.1.2 can load programs here, an explanation fails exactly when
 * libbpf's load does, with the bytes libbpf puts in the `.kconfig` map.
 */
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { explainJson, explainObject, explainText, type KconfigExplanation } from "../../src/core/explain.js";
import { relocateForLoad, type KernelConfigProvider, type PipelineOptions, type PipelineResult } from "../../src/core/pipeline.js";
import { relocateObject } from "../../src/core/relocate.js";
import { KconfigError } from "../../src/errors.js";
import { clangBpf, libbpfDev, oracle } from "../helpers/env.js";
import { smallTarget } from "../helpers/hostile.js";
import { kconfigOracleWorks, libbpfKernelRelease, loggedVirtual, runKconfigOracle, systemKconfig } from "../helpers/kconfig-oracle.js";
import { relocProgram } from "../helpers/reloc-program.js";

const KC = '__attribute__((section(".kconfig")))';
const WEAK = "__attribute__((weak))";

/** A socket program (no CO-RE, so libbpf loads it anywhere) reading every extern of `decls`. */
function externProgram(nope: boolean): string {
  const externs: Array<[string, string]> = [
    ["int CONFIG_BTFKIT_INT", ""],
    ["_Bool CONFIG_BTFKIT_BOOL", ""],
    ["enum libbpf_tristate CONFIG_BTFKIT_TRI", WEAK],
    ["char CONFIG_BTFKIT_STR[8]", WEAK],
    ["_Bool CONFIG_BTFKIT_ABSENT", WEAK],
    ["unsigned int LINUX_KERNEL_VERSION", ""],
    ["_Bool LINUX_HAS_BPF_COOKIE", WEAK],
    ["_Bool LINUX_HAS_SYSCALL_WRAPPER", WEAK],
    ...(nope ? [["int CONFIG_NOPE", ""] as [string, string]] : []),
  ];
  const name = (decl: string) => /(\w+)(\[\d+\])?$/.exec(decl)![1];
  return `enum libbpf_tristate { TRI_NO = 0, TRI_YES = 1, TRI_MODULE = 2 };
${externs.map(([d, w]) => `extern ${d} ${KC} ${w};`).join("\n")}
__attribute__((section("socket"), used)) int prog(void *ctx) {
  return ${externs.map(([d]) => (d.includes("[") ? `${name(d)}[0]` : name(d))).join(" + ")};
}
char _license[] __attribute__((section("license"), used)) = "GPL";
`;
}

const ALL_SET = 'CONFIG_BTFKIT_INT=-7\nCONFIG_BTFKIT_BOOL=y\nCONFIG_BTFKIT_TRI=m\nCONFIG_BTFKIT_STR="abc"\n';

interface Case {
  name: string;
  nope?: boolean;
  /** libbpf's in-memory config (our kconfigString). */
  kconfig?: string;
  /** A failure message we expect, or undefined for success. */
  fails?: RegExp;
}

const CASES: Case[] = [
  { name: "everything set", kconfig: ALL_SET },
  { name: "a string truncated with a warning", kconfig: ALL_SET.replace('"abc"', '"abcdefghij"') },
  { name: "a strong extern left unset", kconfig: "CONFIG_BTFKIT_INT=1\n", fails: /'CONFIG_BTFKIT_BOOL' \(strong\) is not resolved/ },
  { name: "a value of the wrong class", kconfig: ALL_SET.replace("CONFIG_BTFKIT_INT=-7", "CONFIG_BTFKIT_INT=y"), fails: /extern 'CONFIG_BTFKIT_INT': value 'y' needs a bool, tristate or char extern, not int/ },
  { name: "a bad line no extern wants", kconfig: ALL_SET + "CONFIG_JUNK\n", fails: /"CONFIG_JUNK\\n" has no '='/ },
  { name: "an unresolvable strong CONFIG_NOPE", nope: true, kconfig: ALL_SET, fails: /'CONFIG_NOPE' \(strong\) is not resolved/ },
];

const haveClang = oracle("clang");
const target = () => Btf.parse(smallTarget());

/** explainObject and relocateForLoad on the same bytes and options (a fresh provider each, counting its calls). */
function both(bytes: Uint8Array, opts: PipelineOptions, config?: ReturnType<KernelConfigProvider>) {
  const reads = { explain: 0, reloc: 0 };
  const provider = (who: "explain" | "reloc"): KernelConfigProvider => () => (reads[who]++, config);
  const explained = explainObject(bytes, { ...opts, config: provider("explain") });
  let reloc: PipelineResult | KconfigError;
  try {
    reloc = relocateForLoad(bytes, { ...opts, config: provider("reloc") });
  } catch (e) {
    if (!(e instanceof KconfigError)) throw e;
    reloc = e;
  }
  return { explained, kconfig: explained.kconfig!, reloc, reads };
}

/** The explanation says what relocateForLoad did: its values and sources, or its failure message. */
function expectSameVerdict(k: KconfigExplanation, reloc: PipelineResult | KconfigError): void {
  expect(k).toBeDefined();
  if (reloc instanceof KconfigError) {
    expect(k.error).toBe(reloc.message);
    // Some extern has no value, or the failure is a line no extern wants.
    return;
  }
  expect(k.error).toBeUndefined();
  const verdicts = (es: Array<{ name: string; source?: string; value?: bigint | string }>) => Object.fromEntries(es.map((e) => [e.name, [e.source, e.value]]));
  expect(verdicts(k.externs)).toEqual(verdicts(reloc.kconfig!.externs));
  expect(k.externs.map((e) => e.name)).toEqual(reloc.kconfig!.externs.map((e) => e.name));
  expect(k.warnings).toEqual(reloc.kconfig!.warnings);
}

describe.skipIf(!haveClang)("explainObject decides .kconfig externs as relocateForLoad does", () => {
  const objects = haveClang ? { plain: clangBpf(externProgram(false)), nope: clangBpf(externProgram(true)) } : { plain: "", nope: "" };
  const read = (nope = false) => new Uint8Array(fs.readFileSync(nope ? objects.nope : objects.plain));
  const system = systemKconfig();
  const release = libbpfKernelRelease();
  let differential = false;
  beforeAll(() => {
    differential = oracle("gcc") && libbpfDev() && kconfigOracleWorks();
  });

  it.each(CASES)("$name (and libbpf agrees where it can load)", (c) => {
    const obj = c.nope ? objects.nope : objects.plain;
    const lib = differential ? runKconfigOracle(obj, c.kconfig) : undefined;
    const virtual = lib
      ? { hasBpfCookie: loggedVirtual(lib.log, "LINUX_HAS_BPF_COOKIE") === 1n, hasSyscallWrapper: loggedVirtual(lib.log, "LINUX_HAS_SYSCALL_WRAPPER") === 1n }
      : {};
    const config = system && { config: system.bytes, configName: system.name };
    const { kconfig, reloc } = both(read(c.nope), { target: target(), kconfigString: c.kconfig, kernelRelease: release, ...virtual }, config);
    expectSameVerdict(kconfig, reloc);
    if (c.fails) expect(kconfig.error).toMatch(c.fails);
    else expect(kconfig.error).toBeUndefined();
    if (lib) {
      expect(lib.ok, `libbpf: ${lib.stage} ${lib.err}\n${lib.log.slice(-1500)}`).toBe(kconfig.error === undefined);
      if (!(reloc instanceof KconfigError)) expect(Buffer.from(reloc.kconfig!.data).toString("hex")).toBe(Buffer.from(lib.data ?? []).toString("hex"));
    }
  });

  it("says where each value came from, and which externs a failure leaves without one", () => {
    const config = { config: "CONFIG_BTFKIT_BOOL=y\n", configName: "cfg" };
    const { kconfig, reloc } = both(read(true), { target: target(), kconfigString: 'CONFIG_BTFKIT_INT=3\nCONFIG_BTFKIT_STR="x"\n', kernelRelease: "6.1.2-foo", hasSyscallWrapper: true }, config);
    expect(reloc).toBeInstanceOf(KconfigError);
    const byName = Object.fromEntries(kconfig.externs.map((e) => [e.name, [e.value, e.reason]]));
    expect(byName).toEqual({
      CONFIG_BTFKIT_INT: [3n, "from kconfigString"],
      CONFIG_BTFKIT_BOOL: [1n, "from cfg"],
      CONFIG_BTFKIT_TRI: [0n, "unset (weak): zero"],
      CONFIG_BTFKIT_STR: ["x", "from kconfigString"],
      CONFIG_BTFKIT_ABSENT: [0n, "unset (weak): zero"],
      CONFIG_NOPE: [undefined, undefined],
      LINUX_KERNEL_VERSION: [BigInt((6 << 16) + (1 << 8) + 2), 'from kernel release "6.1.2-foo"'],
      LINUX_HAS_BPF_COOKIE: [0n, "implied by the target BTF (BPF_FUNC_get_attach_cookie)"],
      LINUX_HAS_SYSCALL_WRAPPER: [1n, "from hasSyscallWrapper"],
    });
    expect(kconfig.error).toBe((reloc as KconfigError).message);
    expect(kconfig.error).toBe(`extern 'CONFIG_NOPE' (strong) is not resolved: not set by kconfigString or cfg (section .kconfig, type [${kconfig.externs.find((e) => e.name === "CONFIG_NOPE")!.btfId}])`);
  });

  it("a failure before the config is read leaves the CONFIG_ externs undecided", () => {
    const { kconfig, reloc, reads } = both(read(), { target: target(), kconfigString: ALL_SET, kernelRelease: "not a release" }, { config: "" });
    expectSameVerdict(kconfig, reloc);
    expect(kconfig.error).toMatch(/^extern 'LINUX_KERNEL_VERSION': cannot read a version from kernel release "not a release"/);
    expect(kconfig.externs.filter((e) => e.source !== undefined).map((e) => e.name)).toEqual([]);
    // A CONFIG_ extern the string leaves unset (the weak ABSENT) has the config read first, by both.
    expect(reads).toEqual({ explain: 1, reloc: 1 });
  });

  it("reads the config only when relocateForLoad does, and fails as it does when the config cannot be read", () => {
    const unread = both(read(), { target: target(), kconfigString: ALL_SET + "CONFIG_BTFKIT_ABSENT=y\n", kernelRelease: release });
    expect(unread.reads).toEqual({ explain: 0, reloc: 0 });
    expect(unread.kconfig.error).toBeUndefined();
    const partial = both(read(), { target: target(), kconfigString: "CONFIG_BTFKIT_INT=1\n", kernelRelease: release }, { config: "CONFIG_BTFKIT_BOOL=n\n" });
    expect(partial.reads).toEqual({ explain: 1, reloc: 1 });
    expect(partial.kconfig.error).toBeUndefined();

    const tooLarge = new KconfigError("kernel config is larger than 10 bytes", { file: "big" });
    const failing: PipelineOptions = { target: target(), kernelRelease: release, config: () => { throw tooLarge; } };
    expect(explainObject(read(), failing).kconfig).toEqual({ externs: expect.any(Array), size: expect.any(Number), error: tooLarge.message, warnings: [] });
    expect(() => relocateForLoad(read(), failing)).toThrow(tooLarge);
  });

  it("text: the externs block and the summary count the failure", () => {
    const explained = explainObject(read(true), { target: target(), kconfigString: ALL_SET, kernelRelease: "6.1.0", hasBpfCookie: false, hasSyscallWrapper: false, config: () => undefined });
    const id = explained.kconfig!.externs.find((e) => e.name === "CONFIG_NOPE")!.btfId;
    expect(explainText(explained)).toBe(
      [
        ".kconfig externs:",
        ...explained.kconfig!.externs.map((e) =>
          e.name === "CONFIG_NOPE" ? "  CONFIG_NOPE (int, strong): not resolved" : `  ${e.name} = ${{ CONFIG_BTFKIT_TRI: "m", CONFIG_BTFKIT_STR: '"abc"' }[e.name] ?? String(e.value)} (${e.class}, ${e.weak ? "weak" : "strong"}): ${e.reason}`,
        ),
        `  FAILED: extern 'CONFIG_NOPE' (strong) is not resolved: not set by kconfigString (section .kconfig, type [${id}])`,
        "          libbpf refuses to load an object with these externs",
        "",
        "0 relocations: 0 patched, 0 poisoned, 0 failed; 9 externs: 8 resolved, 1 failed",
        "",
      ].join("\n"),
    );
    const json = JSON.parse(explainJson(explained)) as { kconfig: { externs: Array<{ name: string; value?: string }>; error: string } };
    expect(json.kconfig.error).toBe(explained.kconfig!.error);
    // bigints as decimal strings, as in every CO-RE report.
    expect(json.kconfig.externs.find((e) => e.name === "CONFIG_BTFKIT_INT")!.value).toBe("-7");
    expect(json.kconfig.externs.find((e) => e.name === "CONFIG_NOPE")!.value).toBeUndefined();
  });

  it("externs refused outright (a type kconfig cannot hold): no extern list, relocateForLoad's message", () => {
    const bytes = new Uint8Array(fs.readFileSync(clangBpf(relocProgram(`extern void *CONFIG_PTR ${KC};`, "t->pid + (CONFIG_PTR != 0)"))));
    const { explained, kconfig, reloc } = both(bytes, { target: target() });
    expect(reloc).toBeInstanceOf(KconfigError);
    expect(kconfig).toEqual({ externs: [], size: 0, error: (reloc as KconfigError).message, warnings: [] });
    expect(kconfig.error).toMatch(/^extern 'CONFIG_PTR': type is unsupported/);
    expect(explainText(explained)).toMatch(/\n\n\.kconfig externs:\n {2}FAILED: extern 'CONFIG_PTR': [^\n]+\n {10}libbpf refuses[^\n]+\n\n1 relocations: 1 patched, 0 poisoned, 0 failed; 0 externs: 0 resolved, 1 failed\n$/);
  });

  it("an object without externs explains exactly as before (relocateObject's text and JSON)", () => {
    const bytes = new Uint8Array(fs.readFileSync(clangBpf(relocProgram("", "t->pid"))));
    const explained = explainObject(bytes, { target: target(), config: () => { throw new Error("config read for an object without externs"); } });
    expect(explained.kconfig).toBeUndefined();
    const before = relocateObject(bytes, { target: target() });
    expect(explainText(explained)).toBe(explainText(before));
    expect(explainJson(explained, { pretty: true })).toBe(explainJson(before, { pretty: true }));
    expect(explainText(explained)).toMatch(/\n1 relocations: 1 patched, 0 poisoned, 0 failed\n$/);
  });
});
