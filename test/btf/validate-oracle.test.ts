/**
 * Accept/reject against bpftool 7.8 (libbpf 1.8), whose verdicts on the
 * generated inputs are committed (fixtures/golden-7.8/validate-verdicts.json.br,
 * made once from a source build; CI cannot build it). btfkit must never accept
 * what 7.8 rejects; where it rejects what 7.8 accepts, the input must fall in
 * one of the listed intended differences. Debian's bpftool 7.1 (libbpf 1.1)
 * runs live on a sample: what btfkit accepts and 1.1 rejects, 1.8 accepts.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { openBpfObject } from "../../src/btf/object.js";
import { BTF_KIND_FUNC_PROTO } from "../../src/btf/kinds.js";
import { BtfkitError } from "../../src/errors.js";
import { oracle } from "../helpers/env.js";
import {
  VALIDATE_SEED,
  baseBtfs,
  bpftoolAccepts,
  inputHash,
  readGolden,
  validateInputs,
  writeBases,
  type ValidateInput,
} from "./mutate-validate.js";

/** Inputs btfkit refuses and libbpf 1.8 reads, each with why. */
const INTENDED_DIFFERENCES = {
  "non-zero header bytes past 32":
    "libbpf 1.8 reads such a blob but then refuses to modify it (has_hdr_extra: btf_ensure_modifiable fails); the " +
    "kernel refuses it ('Unsupported btf_header'). btfkit rewrites what it reads (dedup, merge, builder), so it refuses at parse.",
  "hdr_len below 24":
    "libbpf 1.8 copies only hdr_len bytes of the header and zeroes the rest, so a short header reads as empty sections " +
    "(accepted for split BTF, or when the fields it does read happen to fit); the kernel and btfkit require the 24-byte header.",
  "kind 0 record":
    "libbpf 1.8 sizes a BTF_KIND_UNKN record from a layout section's entry 0 like any unknown kind; in btfkit id 0 is void " +
    "and kind 0 is never a type (the kernel refuses it too).",
  "FUNC_PROTO return type out of range":
    "libbpf 1.8's btf_validate_type checks a FUNC_PROTO's parameter types but not its return type; btfkit checks every " +
    "type id slot, so later passes never meet a dangling id (the kernel refuses it too).",
} as const;
type Difference = keyof typeof INTENDED_DIFFERENCES;

const bases = () => baseBtfs();

/** btfkit's verdict: the error when it rejects, undefined when it accepts. Anything but a BtfkitError fails the test. */
function ours(input: ValidateInput): BtfkitError | undefined {
  try {
    if (input.kind === "object") openBpfObject(input.bytes);
    else Btf.parse(input.bytes, { base: input.base && bases()[input.base] });
    return undefined;
  } catch (e) {
    if (e instanceof BtfkitError) return e;
    throw new Error(`input ${input.index} (${input.what}): untyped ${String(e)}`);
  }
}

/** The intended difference an input btfkit rejected falls in, or undefined. */
function classify(input: ValidateInput, err: BtfkitError): Difference | undefined {
  if (input.kind !== "btf") return undefined;
  const d = err.detail;
  if (/^unknown BTF header data at offset \d+ is not zero/.test(d)) return "non-zero header bytes past 32";
  if (/^header length \d+ is below the minimum 24/.test(d)) return "hdr_len below 24";
  if (/^unknown BTF kind 0:/.test(d)) return "kind 0 record";
  if (/^invalid referenced type ID/.test(d) && err.where.offset !== undefined) {
    // The bad word is word 2 of a FUNC_PROTO record: its info word is just before it.
    const le = input.bytes[0] === 0x9f;
    const info = new DataView(input.bytes.buffer, input.bytes.byteOffset).getUint32(err.where.offset - 4, le);
    if (((info >>> 24) & 0x7f) === BTF_KIND_FUNC_PROTO) return "FUNC_PROTO return type out of range";
  }
  return undefined;
}

describe("accept/reject against bpftool 7.8 (libbpf 1.8)", () => {
  const golden = readGolden();
  const inputs = validateInputs();

  it("the committed verdicts are for these inputs (regenerate them after changing the generator)", () => {
    expect(golden.seed).toBe(VALIDATE_SEED);
    expect(golden.bpftool).toMatch(/v7\.8\.0.*libbpf v1\.8/);
    expect(golden.verdicts.length).toBe(inputs.length);
    const changed = inputs.filter((i) => golden.verdicts[i.index].slice(0, 12) !== inputHash(i)).map((i) => `${i.index}: ${i.what}`);
    expect(changed.slice(0, 5), `${changed.length} inputs differ from those bpftool 7.8 judged`).toEqual([]);
  });

  it("btfkit never accepts what 7.8 rejects; what only 7.8 accepts is an intended difference", { timeout: 300_000 }, () => {
    const tally = { both: 0, neither: 0, objects: { accepted: 0, rejected: 0 } };
    const wrongAccepts: string[] = [];
    const unexplained: string[] = [];
    const differences = new Map<Difference, number>();
    for (const input of inputs) {
      const theirs = golden.verdicts[input.index].endsWith("A");
      const err = ours(input);
      if (input.kind === "object") tally.objects[err ? "rejected" : "accepted"]++;
      if (!err && !theirs) wrongAccepts.push(`${input.index}: ${input.what}`);
      else if (err && theirs) {
        const cls = classify(input, err);
        if (cls) differences.set(cls, (differences.get(cls) ?? 0) + 1);
        else unexplained.push(`${input.index}: ${input.what}: ${err.message}`);
      } else if (err) tally.neither++;
      else tally.both++;
    }
    expect(wrongAccepts.slice(0, 5), `${wrongAccepts.length} inputs 7.8 rejects and btfkit accepts`).toEqual([]);
    expect(unexplained.slice(0, 5), `${unexplained.length} inputs 7.8 accepts and btfkit rejects for no listed reason`).toEqual([]);
    // Both outcomes, objects included, and every listed difference actually occurs.
    expect(tally.both).toBeGreaterThan(500);
    expect(tally.neither).toBeGreaterThan(500);
    expect(tally.objects.accepted).toBeGreaterThan(0);
    expect(tally.objects.rejected).toBeGreaterThan(tally.objects.accepted);
    expect([...differences.keys()].sort()).toEqual(Object.keys(INTENDED_DIFFERENCES).sort());
  });
});

describe.skipIf(!oracle("bpftool"))("bpftool 7.1 (libbpf 1.1) on a sample, live", () => {
  it("what btfkit accepts and 7.1 rejects, 7.8 accepts", { timeout: 600_000 }, () => {
    const golden = readGolden();
    // Every 10th input, and every object.
    const sample = validateInputs().filter((i) => i.index % 10 === 0 || i.kind === "object");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-validate71-"));
    try {
      const basePaths = writeBases(dir);
      let onlyWeAccept = 0;
      const notIn78: string[] = [];
      for (const input of sample) {
        if (ours(input) || bpftoolAccepts("bpftool", input, dir, basePaths)) continue;
        onlyWeAccept++;
        if (!golden.verdicts[input.index].endsWith("A")) notIn78.push(`${input.index}: ${input.what}`);
      }
      expect(notIn78).toEqual([]);
      // 1.1 predates the 7.1 header, layout kinds and 24-bit vlen, so some such inputs exist.
      expect(onlyWeAccept).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
