/**
 * What the fuzz harness runs: per stage, the real inputs it starts from
 * (fixture blobs, clang-built objects, kernel configs), how it mutates them,
 * and which library calls it feeds them to. A call may return or throw a
 * BtfkitError ("rejected"); anything else escaping is a bug.
 */
import fs from "node:fs";
import path from "node:path";
import {
  Btf,
  BtfBuilder,
  BtfkitError,
  decodeBtfExt,
  dedupBtf,
  dumpC,
  dumpJson,
  dumpRaw,
  encodeBtfExt,
  isElf,
  loadBtf,
  openBpfObject,
  parseElf,
  relocateForLoad,
  relocateObject,
  resolveKconfig,
  type BtfType,
} from "../../src/index.js";
import { coreObjects } from "../helpers/core-oracle.js";
import { bpfObjects, moduleObjects } from "../helpers/corpus.js";
import { FIXTURES, basePath, fixtureBytes, modulePath, oracle, vmlinuxPath } from "../helpers/env.js";
import { Rng, mutate, mutateBytes, type Region } from "./mutate.js";

export const STAGES = ["elf", "btf", "btf-ext", "kconfig", "dump", "dedup", "relocate", "pipeline"] as const;
export type Stage = (typeof STAGES)[number];

/** Parser stages (the campaign's 1,000,000-input tier) and the heavier algorithm stages. */
export const PARSER_STAGES: readonly Stage[] = ["elf", "btf", "btf-ext", "kconfig"];

export interface Seed {
  label: string;
  bytes: Uint8Array;
  /** Fields worth corrupting. */
  regions: Region[];
  littleEndian: boolean;
  /** Split BTF seeds: the base they parse on, and its fixture name (kept with crashers). */
  base?: Btf;
  baseLabel?: string;
  /** How often this seed is picked relative to others (big blobs are slow to mutate). */
  weight: number;
}

export type Outcome = "ok" | "rejected";

const read = (file: string) => new Uint8Array(fs.readFileSync(file));

// --- regions -------------------------------------------------------------------

/** The BTF header and every word of the type section (ids bounded by the type count). */
export function btfRegions(bytes: Uint8Array, base?: Btf, at = 0): Region[] {
  const btf = Btf.parse(bytes, { base });
  const start = at + btf.header.hdrLen + btf.header.typeOff;
  return [
    { start: at + 4, end: at + btf.header.hdrLen, weight: 3 },
    { start, end: start + btf.header.typeLen, weight: 6, limit: btf.count + 2 },
    { start: at + btf.header.hdrLen + btf.header.strOff, end: at + btf.header.hdrLen + btf.header.strOff + btf.header.strLen, weight: 1 },
  ];
}

/** ELF header, section headers, symbols, relocations, and the .BTF/.BTF.ext headers and records. */
function elfRegions(bytes: Uint8Array): Region[] {
  const elf = parseElf(bytes);
  const is64 = elf.is64;
  const regions: Region[] = [{ start: 0x18, end: is64 ? 0x40 : 0x34, weight: 2 }];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = is64 ? Number(view.getBigUint64(0x28, elf.littleEndian)) : view.getUint32(0x20, elf.littleEndian);
  regions.push({ start: shoff, end: shoff + elf.sections.length * (is64 ? 64 : 40), weight: 4, limit: elf.sections.length + 1 });
  for (const s of elf.sections) {
    const off = s.offset;
    const end = off + s.size;
    if (s.type === 2 /* SYMTAB */) regions.push({ start: off, end, weight: 2 });
    else if (s.type === 9 || s.type === 4 /* REL, RELA */) regions.push({ start: off, end, weight: 2 });
    else if (s.name === ".BTF" || s.name === ".BTF.ext") regions.push({ start: off, end, weight: 3, limit: 64 });
    else if (s.flags & 0x4n /* code */) regions.push({ start: off, end, weight: 1 });
  }
  return regions;
}

// --- seeds -----------------------------------------------------------------------

function objectPaths(): string[] {
  if (!oracle("clang")) return [];
  return [...bpfObjects().map((o) => o.path), ...coreObjects().map((o) => o.path)];
}

const bases = new Map<string, Btf>();

/** A base blob by fixture name, parsed once. */
export function baseBtf(label: string): Btf {
  let b = bases.get(label);
  if (!b) bases.set(label, (b = loadBtf(read(basePath(label)))));
  return b;
}

export function btfSeeds(): Seed[] {
  const seeds: Seed[] = [];
  const split: Array<[string, string]> = [
    ["crc8.btf", "linux-6.1.0-56-amd64.btf"],
    ["tcp_bbr.btf", "linux-6.1.0-56-amd64.btf"],
    ["s390x-tcp_bbr.btf", "linux-6.12.95+deb12-s390x.btf"],
    ["bpf_testmod-7.1.btf", "modules/bpf_testmod-7.1.distilled-base.btf"],
  ];
  for (const [name, baseLabel] of split) {
    const base = baseBtf(baseLabel);
    const bytes = read(modulePath(name));
    seeds.push({ label: name, bytes, regions: btfRegions(bytes, base), littleEndian: base.littleEndian, base, baseLabel, weight: 3 });
  }
  const distilled = baseBtf("modules/bpf_testmod-7.1.distilled-base.btf");
  seeds.push({ label: "bpf_testmod-7.1.distilled-base.btf", bytes: distilled.bytes, regions: btfRegions(distilled.bytes), littleEndian: true, weight: 3 });
  // Whole kernels: slow to copy, so picked rarely.
  for (const name of ["linux-6.1.0-56-amd64.btf", "linux-7.1-layout.btf"]) {
    const bytes = read(vmlinuxPath(name));
    seeds.push({ label: name, bytes, regions: btfRegions(bytes), littleEndian: true, weight: 0.05 });
  }
  for (const p of objectPaths()) {
    const btf = loadBtf(read(p));
    seeds.push({ label: p, bytes: btf.bytes, regions: btfRegions(btf.bytes), littleEndian: btf.littleEndian, weight: 1 });
  }
  return seeds;
}

function elfSeeds(): Seed[] {
  const paths = [...objectPaths(), ...(oracle("clang") ? moduleObjects().map((o) => o.path) : [])];
  return paths.map((p) => {
    const bytes = read(p);
    return { label: p, bytes, regions: elfRegions(bytes), littleEndian: parseElf(bytes).littleEndian, weight: 1 };
  });
}

function extSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const p of objectPaths()) {
    const sec = parseElf(read(p)).section(".BTF.ext");
    if (!sec) continue;
    const bytes = sec.data.slice();
    seeds.push({ label: p, bytes, regions: [{ start: 0, end: bytes.length, weight: 1, limit: 64 }], littleEndian: bytes[0] === 0x9f, weight: 1 });
  }
  return seeds;
}

/** Each kernel config whole (rarely: 200 KB of text), and cut into slices of 256 lines (the bulk). */
function configSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const f of fs.readdirSync(path.join(FIXTURES, "config")).filter((f) => f.endsWith(".config.br"))) {
    const bytes = fixtureBytes(`config/${f}`);
    seeds.push({ label: f, bytes, regions: [], littleEndian: true, weight: 0.5 });
    const lines = Buffer.from(bytes).toString("latin1").split("\n");
    // The options the kconfig object needs, so an unmutated slice resolves.
    const needed = lines.filter((l) => /^CONFIG_(HZ|BPF_SYSCALL|SMP)=/.test(l));
    for (let i = 0; i < lines.length; i += 256) {
      const slice = new Uint8Array(Buffer.from([...lines.slice(i, i + 256), ...needed].join("\n"), "latin1"));
      seeds.push({ label: `${f}:${i + 1}`, bytes: slice, regions: [], littleEndian: true, weight: 1 });
    }
  }
  return seeds;
}

// --- config text mutations -----------------------------------------------------------

/** Line-level edits a config file meets: values, quotes, numbers at the edges, junk, long lines. */
function mutateConfig(rng: Rng, seed: Seed): Uint8Array {
  const lines = Buffer.from(seed.bytes).toString("latin1").split("\n");
  const n = 1 + rng.below(6);
  for (let k = 0; k < n; k++) {
    const i = rng.below(lines.length);
    const name = rng.chance(0.5) ? rng.pick(["CONFIG_HZ", "CONFIG_BPF_SYSCALL", "CONFIG_SMP", "CONFIG_BTFKIT_NO_SUCH_OPTION"]) : lines[i].split("=")[0];
    switch (rng.below(8)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[rng.below(lines.length)]);
        break;
      case 2:
        lines[i] = `${name}=${rng.pick(["y", "m", "n", "", '"', '""', '"x', "0x", "-", "0777", "09", "18446744073709551616", "-9223372036854775809", "0xffffffffffffffff", "1e3", "y y"])}`;
        break;
      case 3:
        lines[i] = `${name}="${"A".repeat(rng.below(5000))}"`;
        break;
      case 4:
        lines[i] = `${name}=${String(rng.u32() - 0x80000000)}`;
        break;
      case 5:
        lines[i] = lines[i].slice(0, rng.below(lines[i].length + 1));
        break;
      case 6:
        lines[i] = `# ${name} is not set`;
        break;
      default:
        lines[i] = Buffer.from(mutateBytes(rng, new TextEncoder().encode(lines[i]))).toString("latin1");
    }
  }
  return new Uint8Array(Buffer.from(lines.join(rng.chance(0.1) ? "\r\n" : "\n"), "latin1"));
}

// --- BTF-specific mutations ------------------------------------------------------------

/** Appends a long modifier chain (optionally closed into a cycle) to a blob, through the builder. */
function withDeepChain(rng: Rng, seed: Seed): Uint8Array | undefined {
  let btf: Btf;
  try {
    btf = Btf.parse(seed.bytes, { base: seed.base });
  } catch {
    return undefined;
  }
  const b = BtfBuilder.from(btf);
  const first = b.nextId;
  const n = 1000 + rng.below(30_000);
  const kinds = ["const", "volatile", "typedef", "ptr", "restrict", "type_tag"] as const;
  for (let i = 0; i < n; i++) {
    const kind = rng.pick(kinds);
    const type = i === 0 ? rng.below(first) : first + i - 1;
    const t: BtfType = kind === "ptr" ? { kind, type } : kind === "type_tag" ? { kind, name: "tag", type, kflag: false } : kind === "typedef" ? { kind, name: "t", type } : { kind, name: "", type };
    b.add(t);
  }
  if (rng.chance(0.5)) {
    const last = b.types[b.types.length - 1];
    if ("type" in last) b.types[b.types.length - 1] = { ...last, type: first + rng.below(n) } as BtfType;
  }
  return b.encode({ littleEndian: seed.littleEndian });
}

function mutateBtf(rng: Rng, seed: Seed): Uint8Array {
  if (rng.chance(0.01)) {
    const deep = withDeepChain(rng, seed);
    if (deep) return deep;
  }
  return mutate(rng, seed.bytes, seed.regions, seed.littleEndian);
}

// --- stages ---------------------------------------------------------------------------------

function classify(f: () => void): Outcome {
  try {
    f();
    return "ok";
  } catch (err) {
    if (err instanceof BtfkitError) return "rejected";
    throw err;
  }
}

/** Decodes every own type and name, so lazily decoded parts are exercised too. */
function walkBtf(btf: Btf): void {
  for (const id of btf.ownIds()) {
    btf.type(id);
    btf.name(id);
  }
}

export interface StageDef {
  seeds(): Seed[];
  input(rng: Rng, seed: Seed): Uint8Array;
  run(bytes: Uint8Array, seed: Seed): void;
}

let target: Btf | undefined;
/** The 6.18 kernel the relocation stages relocate against (parsed once per worker). */
function relocationTarget(): Btf {
  return (target ??= loadBtf(read(vmlinuxPath("linux-6.18.44-fc-v657.btf"))));
}

let kconfigObject: Uint8Array | undefined;

export const STAGE_DEFS: Record<Stage, StageDef> = {
  elf: {
    seeds: elfSeeds,
    input: (rng, s) => mutate(rng, s.bytes, s.regions, s.littleEndian),
    run(bytes) {
      const elf = parseElf(bytes);
      for (const sec of elf.sections) if (sec.type === 9 || sec.type === 4) elf.relocations(sec);
      elf.symbols();
    },
  },
  btf: {
    seeds: btfSeeds,
    input: mutateBtf,
    run(bytes, s) {
      walkBtf(isElf(bytes) ? loadBtf(bytes) : Btf.parse(bytes, { base: s.base }));
    },
  },
  "btf-ext": {
    seeds: extSeeds,
    input: (rng, s) => mutate(rng, s.bytes, s.regions, s.littleEndian),
    run(bytes) {
      const ext = decodeBtfExt(bytes);
      encodeBtfExt({ ...ext, layout: undefined });
    },
  },
  kconfig: {
    seeds: configSeeds,
    input: mutateConfig,
    run(bytes) {
      kconfigObject ??= read(kconfigObjectPath());
      resolveKconfig(openBpfObject(kconfigObject), { config: bytes, kernelRelease: "6.1.0-1-amd64" });
    },
  },
  dump: {
    // Split seeds pull in part of their kernel for the C dump: slower, so rarer.
    seeds: () => btfSeeds().flatMap((s) => (s.weight < 1 ? [] : [{ ...s, weight: s.base ? 0.3 : 1 }])),
    input: mutateBtf,
    run(bytes, s) {
      const btf = Btf.parse(bytes, { base: s.base });
      // Split blobs: their own types (and, in C, what those need from the base), not the whole kernel each time.
      const ids = btf.base ? [...btf.ownIds()] : undefined;
      dumpRaw(btf, { ids });
      dumpJson(btf, { ids });
      dumpC(btf, { rootIds: ids });
    },
  },
  dedup: {
    seeds: () => btfSeeds().filter((s) => s.weight >= 1),
    input: mutateBtf,
    run(bytes, s) {
      dedupBtf(Btf.parse(bytes, { base: s.base }));
    },
  },
  relocate: {
    seeds: () => elfSeeds().filter((s) => s.label.includes("/objects/")),
    input: (rng, s) => mutate(rng, s.bytes, s.regions, s.littleEndian),
    run(bytes) {
      relocateObject(bytes, { target: relocationTarget() });
    },
  },
  pipeline: {
    seeds: () => elfSeeds().filter((s) => s.label.includes("/objects/")),
    input: (rng, s) => mutate(rng, s.bytes, s.regions, s.littleEndian),
    run(bytes) {
      relocateForLoad(bytes, { target: relocationTarget(), kconfigString: "CONFIG_HZ=250\nCONFIG_SMP=y\n", kernelRelease: "6.18.0" });
    },
  },
};

/** The corpus program with `.kconfig` externs (strong and weak) the configs are resolved for. */
function kconfigObjectPath(): string {
  const obj = coreObjects().find((o) => o.file === "load_kconfig.c");
  if (!obj) throw new Error("test/corpus/core/load_kconfig.c is missing");
  return obj.path;
}

/** Runs one input through a stage: "ok", "rejected", or a thrown bug. */
export function runStage(stage: Stage, bytes: Uint8Array, seed: Seed): Outcome {
  return classify(() => STAGE_DEFS[stage].run(bytes, seed));
}
