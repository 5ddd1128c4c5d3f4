/**
 * The library never writes into the bytes it is given. Every public entry
 * point that reads caller bytes (directly, or through a Btf, ElfFile or
 * BpfObject parsed from them) runs on the same real inputs held four ways:
 * a plain Uint8Array, a Node Buffer (whose `slice` is a view, not a copy), a
 * view at an offset into a larger ArrayBuffer with guard bytes around it,
 * and a view on a SharedArrayBuffer. After each call the inputs and guards
 * are unchanged, and a second call gives the same result as the first and
 * as the plain Uint8Array.
 *
 * The list of entry points is checked against the module's exports, so a new
 * export must be classified here before the suite passes.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";
import { coreSources } from "./helpers/core-oracle.js";
import { clangBpf, fixtureBytes, oracle } from "./helpers/env.js";
import { smallTarget } from "./helpers/hostile.js";

/** The real inputs: a clang-built CO-RE object with kconfig externs, its sections, a split BTF fixture, a target, a config. */
interface Inputs {
  object: Uint8Array;
  objectBtf: Uint8Array;
  objectExt: Uint8Array;
  base: Uint8Array;
  module: Uint8Array;
  target: Uint8Array;
  config: Uint8Array;
}

type Holder = "Uint8Array" | "Buffer" | "offset view" | "SharedArrayBuffer";
const HOLDERS: Holder[] = ["Uint8Array", "Buffer", "offset view", "SharedArrayBuffer"];
const GUARD = 48;

/** `src` held as `holder`, with a check that it (and its guard bytes) are as they were. */
function hold(src: Uint8Array, holder: Holder): { bytes: Uint8Array; unchanged(): void } {
  let bytes: Uint8Array;
  let whole: Uint8Array | undefined;
  if (holder === "Uint8Array") bytes = src.slice();
  else if (holder === "Buffer") bytes = Buffer.from(src);
  else {
    const mem = holder === "SharedArrayBuffer" ? new SharedArrayBuffer(src.length + 2 * GUARD) : new ArrayBuffer(src.length + 2 * GUARD);
    whole = new Uint8Array(mem);
    // Guards that look like data (an ELF magic, a BTF magic), so that a read past the view would not go unnoticed either.
    for (let i = 0; i < whole.length; i++) whole[i] = (i * 131 + 0x7f) & 0xff;
    bytes = new Uint8Array(mem, GUARD, src.length);
    bytes.set(src);
  }
  const before = whole ? whole.slice() : src.slice();
  return {
    bytes,
    unchanged() {
      const now = whole ?? bytes;
      expect(Buffer.compare(Buffer.from(now.buffer, now.byteOffset, now.byteLength), Buffer.from(before)), `${holder} input was modified`).toBe(0);
    },
  };
}

/** A comparable fingerprint of any result (bytes as hex lengths and sums would hide differences, so the full bytes are kept). */
function fingerprint(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === "bigint") return `${x}n`;
    if (x instanceof Uint8Array) return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString("base64");
    if (x instanceof Map) return [...x.entries()];
    if (x instanceof api.Btf) return Buffer.from(api.dumpRaw(x)).toString("base64");
    if (x instanceof api.ElfFile) return x.sections.map((s) => [s.name, s.type, s.size]);
    if (x instanceof api.BpfObject) return { btf: x.btf, ext: x.ext, elf: x.elf };
    return x;
  });
}

const kconfigOpts = { kernelRelease: "6.1.0-18-amd64" };

/** Entry points that read caller bytes, each called on inputs held one way. */
const BYTE_ENTRIES: Record<string, (i: Inputs) => unknown> = {
  isElf: (i) => api.isElf(i.object),
  parseElf: (i) => api.parseElf(i.object),
  ElfFile: (i) => new api.ElfFile(i.object),
  ElfEditor: (i) => {
    const ed = api.ElfEditor.from(api.parseElf(i.object));
    ed.setData(".BTF", i.objectBtf);
    return ed.write();
  },
  Btf: (i) => api.Btf.parse(i.module, { base: api.Btf.parse(i.base) }),
  loadBtf: (i) => [api.loadBtf(i.object), api.loadBtf(i.objectBtf)],
  mergeKernelModules: (i) => {
    const base = api.Btf.parse(i.base);
    const mod = api.Btf.parse(i.module, { base });
    return [api.mergeKernelModules(base, [mod], "7.1"), api.mergeKernelModules(base, [mod], "7.8")];
  },
  BtfBuilder: (i) => api.BtfBuilder.from(api.Btf.parse(i.objectBtf)).encode(),
  dumpRaw: (i) => api.dumpRaw(api.Btf.parse(i.objectBtf)),
  dumpJson: (i) => api.dumpJson(api.Btf.parse(i.objectBtf)),
  dumpC: (i) => api.dumpC(api.Btf.parse(i.objectBtf)),
  dumpExt: (i) => api.dumpExt(api.BpfObject.open(i.object)),
  unusedKfuncExcludes: (i) => api.unusedKfuncExcludes(api.Btf.parse(i.target), ["bpf_*", "nope"]),
  resolveRoots: (i) => api.resolveRoots(api.Btf.parse(i.objectBtf), ["task_struct", "*"]),
  dedupBtf: (i) => api.dedupBtf(api.Btf.parse(i.objectBtf), { ext: api.decodeBtfExt(i.objectExt) }).bytes,
  mergeBtf: (i) => api.mergeBtf([api.Btf.parse(i.objectBtf), api.Btf.parse(i.target)]).bytes,
  dedupObject: (i) => api.dedupObject(i.object).output,
  decodeBtfExt: (i) => api.decodeBtfExt(i.objectExt),
  BpfObject: (i) => api.BpfObject.open(i.object),
  openBpfObject: (i) => api.openBpfObject(i.object),
  relocateAccess: (i) => {
    const local = api.Btf.parse(i.objectBtf);
    return api.relocateAccess(local, { typeId: local.findByName("task_struct", "struct")!, access: "0:1", kind: 0 }, { target: api.Btf.parse(i.target) });
  },
  relocateObject: (i) => {
    const r = api.relocateObject(i.object, { target: api.Btf.parse(i.target) });
    return { decisions: r.decisions, sections: r.sections };
  },
  explainObject: (i) => api.explainObject(i.object, { target: api.Btf.parse(i.target), config: i.config, ...kconfigOpts }),
  relocateForLoad: (i) => api.relocateForLoad(i.object, { target: api.Btf.parse(i.target), config: i.config, ...kconfigOpts }).output,
  checkPortability: (i) => api.checkPortability([{ name: "obj.o", object: i.object }], [{ name: "k", btf: api.Btf.parse(i.target) }]),
  checkKernel: (i) => api.checkKernel([{ name: "obj.o", object: i.object }], { name: "k", btf: api.Btf.parse(i.target) }),
  dumpPahole: (i) => api.dumpPahole(api.Btf.parse(i.target)),
  layoutOf: (i) => {
    const btf = api.Btf.parse(i.target);
    return api.layoutOf(btf, btf.findByName("task_struct", "struct")!);
  },
  layoutsOf: (i) => api.layoutsOf(api.Btf.parse(i.target)),
  diffBtf: (i) => api.diffBtf(api.Btf.parse(i.target), api.Btf.parse(i.objectBtf)),
  generateTypes: (i) => api.generateTypes(i.object),
  minimizeBtf: (i) => api.minimizeBtf(api.Btf.parse(i.target), [{ name: "obj.o", object: i.object }]).bytes,
  fillKconfig: (i) => api.fillKconfig(api.kconfigLayout(api.openBpfObject(i.object)), { config: i.config, ...kconfigOpts }),
  kconfigLayout: (i) => api.kconfigLayout(api.openBpfObject(i.object)),
  resolveKconfig: (i) => api.resolveKconfig(api.openBpfObject(i.object), { config: i.config, ...kconfigOpts }),
  virtualExternsFromBtf: (i) => api.virtualExternsFromBtf(api.Btf.parse(i.base)),
};

/** Exports that read no caller bytes, and why. */
const NO_BYTES: Record<string, string> = {
  BaseBtfRequiredError: "error class",
  BtfError: "error class",
  BtfExtError: "error class",
  BtfkitError: "error class",
  CoreRelocationError: "error class",
  ElfError: "error class",
  KconfigError: "error class",
  BTF_INT_BOOL: "constant",
  BTF_INT_CHAR: "constant",
  BTF_INT_SIGNED: "constant",
  BTF_LINKAGE_EXTERN: "constant",
  BTF_LINKAGE_GLOBAL: "constant",
  BTF_LINKAGE_STATIC: "constant",
  CoreReloKind: "constant",
  coreReloKindName: "takes a number",
  lineInfoLine: "takes a number",
  lineInfoColumn: "takes a number",
  encodeBtfExt: "takes a decoded BtfExt and allocates its output",
  explainText: "takes a RelocateResult",
  explainJson: "takes a RelocateResult",
  relocationReportJson: "takes a PipelineResult",
  diffText: "takes a BtfDiff",
  diffJson: "takes a BtfDiff",
};

describe("entry points", () => {
  it("every runtime export is classified as reading bytes or not", () => {
    const exported = Object.keys(api).sort();
    const classified = [...Object.keys(BYTE_ENTRIES), ...Object.keys(NO_BYTES)].sort();
    expect(classified).toEqual(exported);
  });
});

describe.skipIf(!oracle("clang"))("no entry point writes into its input", () => {
  const inputs = (): Inputs => {
    const src = coreSources().find((s) => s.name === "load_kconfig.c")!;
    const object = new Uint8Array(fs.readFileSync(clangBpf(src.source, { flags: ["-target", "bpfel"] })));
    const elf = api.parseElf(object);
    return {
      object,
      objectBtf: elf.section(".BTF")!.data.slice(),
      objectExt: elf.section(".BTF.ext")!.data.slice(),
      base: fixtureBytes("modules/bpf_testmod-7.1.distilled-base.btf"),
      module: fixtureBytes("modules/bpf_testmod-7.1.btf"),
      target: smallTarget(),
      config: new TextEncoder().encode("# a comment\nCONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\nCONFIG_SMP=y\n"),
    };
  };
  let plain: Inputs | undefined;
  const expected = new Map<string, string>();

  for (const [name, call] of Object.entries(BYTE_ENTRIES)) {
    it.each(HOLDERS)(`${name} on a %s`, (holder) => {
      plain ??= inputs();
      const held = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, hold(v, holder)]));
      const args = Object.fromEntries(Object.entries(held).map(([k, h]) => [k, h.bytes])) as unknown as Inputs;
      const first = fingerprint(call(args));
      for (const h of Object.values(held)) h.unchanged();
      // Again on the same bytes: a patched input would relocate differently or fail here.
      expect(fingerprint(call(args))).toBe(first);
      for (const h of Object.values(held)) h.unchanged();
      if (!expected.has(name)) expected.set(name, fingerprint(call(plain)));
      expect(first).toBe(expected.get(name));
    });
  }
});
