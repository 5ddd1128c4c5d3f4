/**
 * Differential validation of the BTF parser against libbpf 1.1.2 (issue 7,
 * item 3): mutated blobs from the fuzz harness's BTF seeds go through
 * `Btf.parse` and through libbpf's `btf__new` (split blobs on their base),
 * and every blob on which the two disagree is put into a named class whose
 * cause is known, in both directions.
 *
 * The two parsers check the same things (libbpf 1.1.2's btf_parse_hdr,
 * btf_parse_str_sec and btf_parse_type_sec; our Btf constructor) except where
 * we follow the Linux 7.1 format and libbpf 1.1 predates it: the 32-byte
 * header with its layout section, 7-bit kinds and 24-bit vlen. Every class
 * below is one of those differences; anything else is "unexplained".
 */
import fs from "node:fs";
import { BTF_KIND_MAX_KNOWN, KIND_DESCRIPTORS, recordWords } from "../../src/btf/kinds.js";
import { Btf, BtfBuilder, BtfError, loadBtf } from "../../src/index.js";
import { bpfObjects } from "../helpers/corpus.js";
import { oracleParseMany, type ParseVerdict } from "../helpers/dedup-oracle.js";
import { basePath, oracle } from "../helpers/env.js";
import { Rng, inputSeed, mutate, type Region } from "./mutate.js";
import { btfRegions, btfSeeds, type Seed } from "./targets.js";

export const ENOTSUP = 95;
export const EINVAL = 22;

/** Blobs we accept and libbpf 1.1.2 refuses, by cause. */
export const ONLY_WE_ACCEPT = {
  "big-endian header longer than 24 bytes":
    "libbpf 1.1.2 byte-swaps only the 24-byte header and refuses a foreign-endian blob whose hdr_len is anything else " +
    "(btf_parse_hdr: ENOTSUP). We read the Linux 7.1 32-byte header in both byte orders (a big-endian 7.1 kernel's BTF has one), " +
    "and skip header bytes we do not know, as libbpf does for native-endian data.",
  "kind described by the layout section":
    "A record whose 7-bit kind is above 19 (or differs from libbpf's 5-bit reading) and which the blob's 7.1 layout " +
    "section sizes. libbpf 1.1.2 has no layout section: it masks the kind to 5 bits and refuses kinds above 19 " +
    "(btf_type_size: 'Unsupported BTF_KIND'), or sizes the record as another kind and walks off elsewhere.",
  "vlen wider than 16 bits":
    "A record with bits 16-23 of info set on a kind with per-vlen elements. 7.1 widened vlen to 24 bits and we size " +
    "the record with all 24; libbpf 1.1.2 reads 16 bits (btf_vlen), so it takes the record as shorter and parses the " +
    "rest of it as further records, which it then refuses.",
} as const;

/** Blobs libbpf 1.1.2 accepts and we refuse, by cause. */
export const ONLY_LIBBPF_ACCEPTS = {
  "header shorter than 24 bytes":
    "A native-endian hdr_len below 24. libbpf 1.1.2 checks only that hdr_len fits in the data and still reads the " +
    "header's fields at their fixed offsets; the kernel refuses such a header, and so do we.",
  "layout section out of place":
    "A 32-byte header whose layout section runs past the data, is misaligned or overlaps the types or strings. " +
    "libbpf 1.1.2 ignores every header byte past 24; 7.1 readers (the kernel, current libbpf) check the layout section, and so do we.",
  "kind wider than 5 bits":
    "A record with bit 29 or 30 of info set. libbpf 1.1.2 masks the kind to bits 24-28 and ignores them; under the " +
    "7.1 7-bit kind it is a kind above 31 that the blob does not describe (older kernels refuse the bits too).",
  "vlen wider than 16 bits":
    "Bits 16-23 of info set on a kind with per-vlen elements: libbpf 1.1.2 ignores them and sizes the record with " +
    "16 bits; with the 7.1 24-bit vlen the record runs past the type section (older kernels refuse the bits too).",
  "names and ids checked at parse":
    "A name offset outside the string section, a type id at or past the count, or a FUNC not on a FUNC_PROTO: " +
    "libbpf 1.1.2 has no btf_sanity_check (libbpf 1.3 added it); we check as libbpf 1.8 does (src/btf/validate.ts).",
  "kernel header rules":
    "A version other than 1, non-zero flags, or non-zero header bytes past 32: libbpf ignores them; the kernel refuses " +
    "them and so do we (test/btf/validate-oracle.test.ts lists them as differences from 1.8 too).",
} as const;

export type OnlyWeAcceptClass = keyof typeof ONLY_WE_ACCEPT;
export type OnlyLibbpfAcceptsClass = keyof typeof ONLY_LIBBPF_ACCEPTS;
export const UNEXPLAINED = "unexplained";

// --- the two readings of a blob -------------------------------------------------------

/** The header fields, read as both parsers read them (fixed offsets, whatever hdr_len says). */
export interface RawHeader {
  littleEndian: boolean;
  hdrLen: number;
  typeOff: number;
  typeLen: number;
  strOff: number;
  strLen: number;
  /** Words 24 and 28: only a 32-byte header has them (0 otherwise). */
  layoutOff: number;
  layoutLen: number;
}

/** The header, or undefined when the blob is shorter than 24 bytes or lacks the BTF magic (both refuse it). */
export function readHeader(bytes: Uint8Array): RawHeader | undefined {
  if (bytes.length < 24) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint16(0, true);
  if (magic !== 0xeb9f && magic !== 0x9feb) return undefined;
  const le = magic === 0xeb9f;
  const u32 = (off: number) => v.getUint32(off, le);
  const hdrLen = u32(4);
  const long = hdrLen >= 32 && bytes.length >= 32;
  return {
    littleEndian: le,
    hdrLen,
    typeOff: u32(8),
    typeLen: u32(12),
    strOff: u32(16),
    strLen: u32(20),
    layoutOff: long ? u32(24) : 0,
    layoutLen: long ? u32(28) : 0,
  };
}

/** Whether a 32-byte header's layout section lies inside the data, aligned, apart from types and strings. */
function layoutInPlace(h: RawHeader, size: number): boolean {
  const dataLen = size - h.hdrLen;
  if (h.layoutOff + h.layoutLen > dataLen || h.layoutOff % 4 !== 0 || h.layoutLen % 4 !== 0) return false;
  // libbpf 1.8's rule, which we follow: between the type and string sections.
  return h.layoutOff >= h.typeOff + h.typeLen && h.layoutOff + h.layoutLen <= h.strOff;
}

/** Record sizes by kind from the layout section, when the header has one in place. */
function layoutSizes(bytes: Uint8Array, h: RawHeader): Array<[number, number]> | undefined {
  if (h.hdrLen < 32 || h.layoutLen === 0 || !layoutInPlace(h, bytes.length)) return undefined;
  const out: Array<[number, number]> = [];
  const start = h.hdrLen + h.layoutOff;
  for (let p = start; p < start + h.layoutLen; p += 4) out.push([bytes[p], bytes[p + 1]]);
  return out;
}

/** Record size in bytes for a kind and vlen, or -1 when the reader cannot size it. */
function recordSize(kind: number, vlen: number, layout?: Array<[number, number]>): number {
  if (kind >= 1 && kind <= BTF_KIND_MAX_KNOWN) return 4 * recordWords(kind, vlen);
  const l = kind !== 0 ? layout?.[kind] : undefined;
  if (!l) return -1;
  // As libbpf 1.8, info_sz and elem_sz must each be whole words.
  return l[0] % 4 === 0 && l[1] % 4 === 0 ? 12 + l[0] + vlen * l[1] : -1;
}

/**
 * libbpf 1.1.2's checks on a raw blob (btf_new: btf_parse_hdr,
 * btf_parse_str_sec, btf_parse_type_sec), restated: the name of the first
 * one the blob fails, or undefined when libbpf accepts it. The comparison
 * checks this against libbpf itself on every blob, so the classes below rest
 * on a complete account of what libbpf refuses.
 */
export function libbpfRefusal(bytes: Uint8Array, split: boolean): string | undefined {
  if (bytes.length < 24) return "shorter than the 24-byte header";
  const h = readHeader(bytes);
  if (!h) return "bad magic";
  if (!h.littleEndian && h.hdrLen !== 24) return "swapped endianness with hdr_len other than 24";
  if (h.hdrLen > bytes.length) return "hdr_len past the data";
  if (h.strOff + h.strLen > bytes.length - h.hdrLen) return "strings past the data";
  if (h.typeOff + h.typeLen > h.strOff) return "types overlapping or after the strings";
  if (h.typeOff % 4 !== 0) return "type_off not 4-byte aligned";
  const str = h.hdrLen + h.strOff;
  if (!(split && h.strLen === 0)) {
    if (h.strLen === 0 || bytes[str + h.strLen - 1] !== 0) return "string section empty or not NUL-terminated";
    if (!split && bytes[str] !== 0) return "string section not starting with the empty string";
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = h.hdrLen + h.typeOff;
  let p = 0;
  while (p + 12 <= h.typeLen) {
    const info = v.getUint32(start + p + 4, h.littleEndian);
    const size = recordSize((info >>> 24) & 0x1f, info & 0xffff);
    if (size < 0) return "kind 0 or above 19";
    if (p + size > h.typeLen) return "record past the type section";
    p += size;
  }
  return p !== h.typeLen ? "leftover type bytes" : undefined;
}

/** Where the two readings of the type section first part: the record, and each side's view of it. */
export interface Divergence {
  /** Type id of the record (for split blobs, counted from `startId`). */
  id: number;
  ours: { kind: number; vlen: number; size: number };
  libbpf: { kind: number; vlen: number; size: number };
}

/**
 * Walks the type section the way both parsers do, each with its own reading
 * of info (ours: 7-bit kind, 24-bit vlen, the layout section; libbpf 1.1.2:
 * 5-bit kind, 16-bit vlen, kinds 1-19 only), and returns the first record
 * they read differently. Undefined when they never differ: then they accept
 * or refuse the type section together.
 */
export function firstDivergence(bytes: Uint8Array, h: RawHeader, startId = 1): Divergence | undefined {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const layout = layoutSizes(bytes, h);
  const start = h.hdrLen + h.typeOff;
  if (start + h.typeLen > bytes.length) return undefined;
  for (let p = 0, id = startId; p + 12 <= h.typeLen; id++) {
    const info = v.getUint32(start + p + 4, h.littleEndian);
    const ours = { kind: (info >>> 24) & 0x7f, vlen: info & 0xffffff, size: 0 };
    const libbpf = { kind: (info >>> 24) & 0x1f, vlen: info & 0xffff, size: 0 };
    ours.size = recordSize(ours.kind, ours.vlen, layout);
    libbpf.size = recordSize(libbpf.kind, libbpf.vlen);
    if (ours.kind !== libbpf.kind || ours.size !== libbpf.size) return { id, ours, libbpf };
    // Both refuse this record, or both continue after it.
    if (ours.size < 0) return undefined;
    p += ours.size;
  }
  return undefined;
}

/** Why we accept a blob libbpf refuses (`errno` is libbpf's). */
export function classifyOnlyWeAccept(bytes: Uint8Array, errno: number, startId = 1): OnlyWeAcceptClass | typeof UNEXPLAINED {
  const h = readHeader(bytes);
  if (!h) return UNEXPLAINED;
  if (!h.littleEndian && h.hdrLen !== 24) return errno === ENOTSUP ? "big-endian header longer than 24 bytes" : UNEXPLAINED;
  // Every other refusal of libbpf's is EINVAL.
  if (errno !== EINVAL) return UNEXPLAINED;
  const d = firstDivergence(bytes, h, startId);
  if (!d) return UNEXPLAINED;
  // We sized the record with the layout section where libbpf knows no such kind or reads another one.
  if (d.ours.size >= 0 && (d.ours.kind !== d.libbpf.kind || d.ours.kind > BTF_KIND_MAX_KNOWN)) return "kind described by the layout section";
  if (d.ours.kind === d.libbpf.kind && d.ours.vlen !== d.libbpf.vlen) return "vlen wider than 16 bits";
  return UNEXPLAINED;
}

/** Why libbpf accepts a blob we refuse. */
export function classifyOnlyLibbpfAccepts(bytes: Uint8Array, startId = 1, ours = ""): OnlyLibbpfAcceptsClass | typeof UNEXPLAINED {
  const h = readHeader(bytes);
  if (!h) return UNEXPLAINED;
  if (/^(unsupported BTF version|unsupported BTF header flags|unknown BTF header data)/.test(ours)) return "kernel header rules";
  if (/^(invalid (referenced type ID|\w+ name)|referenced type \[\d+\] is not FUNC_PROTO)/.test(ours)) return "names and ids checked at parse";
  if (h.hdrLen < 24) return "header shorter than 24 bytes";
  if (h.hdrLen >= 32 && h.layoutLen > 0 && !layoutInPlace(h, bytes.length)) return "layout section out of place";
  const d = firstDivergence(bytes, h, startId);
  if (!d) return UNEXPLAINED;
  if (d.ours.kind !== d.libbpf.kind) return "kind wider than 5 bits";
  if (d.ours.vlen !== d.libbpf.vlen) return "vlen wider than 16 bits";
  return UNEXPLAINED;
}

// --- our side ---------------------------------------------------------------------------

/** Our verdict: accepted, or the BtfError's message. Anything but a BtfError is thrown on. */
export function ourVerdict(bytes: Uint8Array, base?: Btf): { ok: true } | { ok: false; message: string } {
  try {
    Btf.parse(bytes, { base });
    return { ok: true };
  } catch (err) {
    if (err instanceof BtfError) return { ok: false, message: err.message };
    throw err;
  }
}

// --- seeds and inputs -------------------------------------------------------------------

/**
 * Hypothetical kinds 20-23 appended to 7.1's layout, sized like STRUCT, UNION,
 * ENUM and FWD: one flip of bit 4 of a kind byte turns those into 20-23, so
 * a mutated blob still walks record by record and the kind is what differs.
 */
const EXTRA_KINDS: Array<[number, number]> = [
  [0, 12],
  [0, 12],
  [0, 8],
  [0, 0],
];

/**
 * The 7.1 layout section (one {info_sz, elem_sz, flags} word per kind 0-19,
 * the sizes every kernel uses), plus EXTRA_KINDS: what a kernel with four
 * more kinds would write.
 */
export function layoutSection(littleEndian: boolean): Uint8Array {
  const sizes: Array<[number, number]> = [];
  for (const d of KIND_DESCRIPTORS) sizes.push([4 * d.infoWords, 4 * d.elemWords]);
  sizes.push(...EXTRA_KINDS);
  const out = new Uint8Array(4 * sizes.length);
  const v = new DataView(out.buffer);
  sizes.forEach(([info, elem], k) => {
    out[4 * k] = info;
    out[4 * k + 1] = elem;
    v.setUint16(4 * k + 2, 0, littleEndian);
  });
  return out;
}

/**
 * The corpus's kinds.c object BTF re-encoded in the 7.1 format with an
 * extended layout section: no fixture has a layout section small enough to
 * mutate by the hundred thousand (the 7.1 vmlinux is 4.5 MB), and none is
 * big-endian. Three seeds:
 * - little-endian, kinds 0-19 only: the layout rules where they differ from
 *   libbpf's (picked most);
 * - the same, big-endian: libbpf 1.1.2 refuses it whole (a swapped 32-byte
 *   header), so most of its mutants only repeat that;
 * - little-endian with one record of each kind 20-23 appended: what a kernel
 *   with new kinds would write, which libbpf 1.1.2 cannot read at all.
 */
function layoutSeeds(): Seed[] {
  const obj = bpfObjects().find((o) => o.label === "kinds.c (clang, bpfel)");
  if (!obj) return [];
  const btf = loadBtf(new Uint8Array(fs.readFileSync(obj.path)));
  const seed = (label: string, le: boolean, newKinds: boolean, weight: number): Seed => {
    const b = BtfBuilder.from(btf);
    if (newKinds) {
      EXTRA_KINDS.forEach(([info, elem], i) => {
        const kind = BTF_KIND_MAX_KNOWN + 1 + i;
        // One element each, so both sizes of the layout entry count.
        b.add({ kind: "unknown", kindNumber: kind, name: "", info: ((kind << 24) | 1) >>> 0, sizeOrType: 0, data: new Uint8Array(info + elem) });
      });
    }
    const bytes = b.encode({ littleEndian: le, layout: layoutSection(le) });
    const h = Btf.parse(bytes).header;
    const layout: Region = { start: h.hdrLen + h.layoutOff!, end: h.hdrLen + h.layoutOff! + h.layoutLen!, weight: 2 };
    return { label: `kinds.c in the 7.1 format, ${label}`, bytes, regions: [...btfRegions(bytes), layout], littleEndian: le, weight };
  };
  return [
    seed("kinds 20-23 in its layout (LE)", true, false, 10),
    seed("kinds 20-23 in its layout (BE)", false, false, 3),
    seed("a record of each kind 20-23 (LE)", true, true, 3),
  ];
}

/** The fuzz harness's BTF seeds (objects, fixtures, split modules on their bases) and the layout seeds. */
export function parseSeeds(): Seed[] {
  return [...btfSeeds(), ...(oracle("clang") ? layoutSeeds() : [])];
}

/** Input `index`: a function of (seed, index) only, like the fuzz campaign's. */
export function generateInput(seeds: readonly Seed[], total: number, campaignSeed: number, index: number): { seed: Seed; bytes: Uint8Array } {
  const rng = new Rng(inputSeed(campaignSeed, "libbpf-parse", index));
  const seed = rng.pickWeighted(seeds, total);
  return { seed, bytes: mutate(rng, seed.bytes, seed.regions, seed.littleEndian) };
}

// --- the comparison ---------------------------------------------------------------------

export interface Example {
  index: number;
  seed: string;
  bytes: Uint8Array;
  /** libbpf's errno, when it refused. */
  errno?: number;
  /** Our error message, when we refused. */
  ours?: string;
}

export interface ClassTally {
  count: number;
  /** The smallest blob of the class. */
  example: Example;
}

export interface BatchTally {
  inputs: number;
  bothAccept: number;
  bothReject: number;
  onlyWeAccept: number;
  onlyLibbpfAccepts: number;
}

export interface ParseReport {
  inputs: number;
  batches: Map<string, BatchTally>;
  onlyWeAccept: Map<string, ClassTally>;
  onlyLibbpfAccepts: Map<string, ClassTally>;
  /** Errors from Btf.parse that are not a BtfError. */
  untyped: Array<{ index: number; seed: string; error: string }>;
  /** Blobs on which libbpfRefusal did not predict libbpf's verdict. */
  modelMisses: Array<Example & { predicted: string }>;
}

function tally(map: Map<string, ClassTally>, cls: string, ex: Example): void {
  const t = map.get(cls);
  if (!t) map.set(cls, { count: 1, example: ex });
  else {
    t.count++;
    if (ex.bytes.length < t.example.bytes.length) t.example = ex;
  }
}

/**
 * Generates inputs [0, inputs) in chunks, runs each chunk through both
 * parsers (libbpf once per base per chunk) and tallies the outcomes.
 */
export function compareWithLibbpf(opts: { seed: number; inputs: number; chunk?: number; seeds?: Seed[] }): ParseReport {
  const seeds = opts.seeds ?? parseSeeds();
  const total = seeds.reduce((n, s) => n + s.weight, 0);
  const chunk = opts.chunk ?? 10_000;
  const report: ParseReport = { inputs: 0, batches: new Map(), onlyWeAccept: new Map(), onlyLibbpfAccepts: new Map(), untyped: [], modelMisses: [] };
  for (let from = 0; from < opts.inputs; from += chunk) {
    // Split blobs are parsed on their base and standalone blobs alone: one libbpf run per base.
    const groups = new Map<string, Array<{ index: number; seed: Seed; bytes: Uint8Array }>>();
    for (let i = from; i < Math.min(opts.inputs, from + chunk); i++) {
      const input = generateInput(seeds, total, opts.seed, i);
      const key = input.seed.baseLabel ?? "";
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ index: i, ...input });
    }
    for (const [baseLabel, group] of groups) {
      const verdicts: ParseVerdict[] = oracleParseMany(
        group.map((g) => g.bytes),
        baseLabel ? basePath(baseLabel) : undefined,
      );
      const batchName = baseLabel ? `split on ${baseLabel}` : "standalone";
      let b = report.batches.get(batchName);
      if (!b) report.batches.set(batchName, (b = { inputs: 0, bothAccept: 0, bothReject: 0, onlyWeAccept: 0, onlyLibbpfAccepts: 0 }));
      group.forEach(({ index, seed, bytes }, k) => {
        const theirs = verdicts[k];
        let ours: ReturnType<typeof ourVerdict>;
        try {
          ours = ourVerdict(bytes, seed.base);
        } catch (err) {
          report.untyped.push({ index, seed: seed.label, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
          return;
        }
        b.inputs++;
        report.inputs++;
        const startId = seed.base ? seed.base.count : 1;
        const predicted = libbpfRefusal(bytes, seed.base !== undefined);
        if ((predicted === undefined) !== theirs.ok) {
          report.modelMisses.push({ index, seed: seed.label, bytes, errno: theirs.ok ? undefined : theirs.errno, predicted: predicted ?? "accepted" });
        }
        if (ours.ok && theirs.ok) b.bothAccept++;
        else if (!ours.ok && !theirs.ok) b.bothReject++;
        else if (ours.ok && !theirs.ok) {
          b.onlyWeAccept++;
          tally(report.onlyWeAccept, classifyOnlyWeAccept(bytes, theirs.errno, startId), { index, seed: seed.label, bytes, errno: theirs.errno });
        } else if (!ours.ok) {
          b.onlyLibbpfAccepts++;
          tally(report.onlyLibbpfAccepts, classifyOnlyLibbpfAccepts(bytes, startId, ours.message), { index, seed: seed.label, bytes, ours: ours.message });
        }
      });
    }
  }
  return report;
}

/** The report as text: agreement, per batch, and each disagreement class with its smallest example. */
export function formatReport(r: ParseReport): string {
  const pct = (n: number, of: number) => `${((100 * n) / Math.max(1, of)).toFixed(3)}%`;
  const lines: string[] = [];
  let agree = 0;
  for (const b of r.batches.values()) agree += b.bothAccept + b.bothReject;
  lines.push(`${r.inputs} blobs, agreement ${agree} (${pct(agree, r.inputs)}), untyped errors ${r.untyped.length}, libbpf model misses ${r.modelMisses.length}`);
  for (const [name, b] of r.batches) {
    lines.push(
      `  ${name}: ${b.inputs} blobs; both accept ${b.bothAccept}, both reject ${b.bothReject}, ` +
        `only we accept ${b.onlyWeAccept}, only libbpf accepts ${b.onlyLibbpfAccepts}; agreement ${pct(b.bothAccept + b.bothReject, b.inputs)}`,
    );
  }
  for (const [title, map] of [
    ["we accept, libbpf rejects", r.onlyWeAccept],
    ["libbpf accepts, we reject", r.onlyLibbpfAccepts],
  ] as const) {
    lines.push(`${title}:`);
    for (const [cls, t] of [...map].sort((a, b) => b[1].count - a[1].count)) {
      const e = t.example;
      const detail = e.errno !== undefined ? `libbpf errno ${e.errno}` : `ours: ${e.ours}`;
      lines.push(`  ${cls}: ${t.count}; smallest: input ${e.index} from ${e.seed}, ${e.bytes.length} bytes, ${detail}`);
    }
  }
  return lines.join("\n");
}
