/**
 * CO-RE compares names as bytes: the byte forms of the essential-name rules
 * decide exactly as the string forms do, and matching against a target with
 * long member names decodes none of them.
 */
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { Btf } from "../../src/btf/btf.js";
import { CoreReloKind } from "../../src/btf/ext.js";
import { relocateAccess } from "../../src/core/relocate.js";
import { essentialLengthAt, essentialNameLength, hasEssentialName, type NameBytes } from "../../src/core/spec.js";
import { ROOT } from "../helpers/env.js";
import { longMemberNamesCore, runUnderHeapLimit } from "../helpers/long-names.js";

const enc = new TextEncoder();
/** `s` NUL-terminated at `pad` bytes into a buffer, as names sit in a string section. */
function placed(s: string, pad: number): { bytes: Uint8Array; pos: number } {
  const body = enc.encode(s);
  const bytes = new Uint8Array(pad + body.length + 1 + pad).fill(0x78);
  bytes.set(body, pad);
  bytes[pad + body.length] = 0;
  return { bytes, pos: pad };
}

/** The string rule: equal up to flavor suffixes. */
function essentialEqual(a: string, b: string): boolean {
  const la = essentialNameLength(a);
  return la === essentialNameLength(b) && a.slice(0, la) === b.slice(0, la);
}

const part = fc.stringMatching(/^[ab_é]{0,6}$/);
/** Pairs that often share prefixes and flavors: `p + x` and `p + y`. */
const pair = fc.tuple(part, part, part).map(([p, x, y]) => [p + x, p + y] as const);

describe("essential names over bytes", () => {
  it("essentialLengthAt is essentialNameLength over the UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab_é]{0,16}$/), fc.nat(3), (s, pad) => {
        const { bytes, pos } = placed(s, pad);
        const chars = essentialNameLength(s);
        expect(essentialLengthAt(bytes, pos)).toBe(enc.encode(s.slice(0, chars)).length);
      }),
      { numRuns: 3000 },
    );
  });

  it("hasEssentialName decides as the string comparison does", () => {
    fc.assert(
      fc.property(pair, fc.nat(3), fc.nat(3), ([a, b], pa, pb) => {
        const A = placed(a, pa);
        const B = placed(b, pb);
        const name: NameBytes = { ...A, essential: essentialLengthAt(A.bytes, A.pos) };
        expect(hasEssentialName(B.bytes, B.pos, name)).toBe(essentialEqual(a, b));
      }),
      { numRuns: 5000 },
    );
  });
});

describe("a target whose member names are long", () => {
  it("relocates without decoding any target member name", () => {
    const { local, target } = longMemberNamesCore(50, 40, 500);
    const L = Btf.parse(local);
    const T = Btf.parse(target);
    const str = vi.spyOn(T, "str");
    const a = relocateAccess(L, { typeId: 2, access: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET }, { target: T });
    expect(a.error).toBeUndefined();
    expect(a.value).toBe(4n);
    expect(a.candidates.length).toBe(51);
    expect(a.candidates.filter((c) => c.matched).map((c) => c.name)).toEqual(["struct task_struct"]);
    // Type names are decoded for the report; no member name is.
    expect(str).toHaveBeenCalled();
    for (const r of str.mock.results) expect((r.value as string).length).toBeLessThan(64);
  });

  it("1,000 candidates of 100 members with 1,000-byte names relocate under a 128 MiB heap", { timeout: 300_000 }, () => {
    const script = `
      const { Btf, CoreReloKind, relocateAccess } = await import(ROOT + "/src/index.ts");
      const g = await import(ROOT + "/test/helpers/long-names.ts");
      const { local, target } = g.longMemberNamesCore(1000, 100, 1000);
      const a = relocateAccess(Btf.parse(local), { typeId: 2, access: "0:0", kind: CoreReloKind.FIELD_BYTE_OFFSET }, { target: Btf.parse(target) });
      console.log(JSON.stringify({ label: "long member names", total: Number(a.value), message: a.error }));`;
    const r = runUnderHeapLimit(ROOT, script, 128);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(r.results).toEqual([{ label: "long member names", total: 4 }]);
  });
});
