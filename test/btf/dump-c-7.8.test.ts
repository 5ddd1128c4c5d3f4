/**
 * The bpftool 7.8 dialect of `format c` against golden headers made by
 * bpftool 7.8.0 (libbpf 1.8) from its public source (fixtures/golden-7.8,
 * see the README there): sorted and unsorted for every kernel blob, root_id
 * for a few types, modules on their base, modules merged. Then the headers
 * compile with bpf_helpers.h (with and without kfuncs, guarded, with
 * exclusions), and the sorted header does not depend on type ids.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { kfuncIds } from "../../src/btf/dump-c/index.js";
import { Btf, dumpC, loadBtf, mergeBtf, type CDumpOptions } from "../../src/index.js";
import { FIXTURES, VMLINUX_FIXTURES, expectSameText, libbpfDev, modulePath, oracle, vmlinuxPath } from "../helpers/env.js";
import { compileHeader } from "../helpers/compile.js";
import { shuffle } from "../helpers/shuffle.js";

const GOLDEN = path.join(FIXTURES, "golden-7.8");

const golden = (file: string) => zlib.brotliDecompressSync(fs.readFileSync(path.join(GOLDEN, `${file}.h.br`))).toString("utf8");
const load = (file: string, base?: Btf) => loadBtf(new Uint8Array(fs.readFileSync(file)), { base });

const blobs = new Map<string, Btf>();
function blob(name: string): Btf {
  let b = blobs.get(name);
  if (!b) blobs.set(name, (b = load(vmlinuxPath(`${name}.btf`))));
  return b;
}

/** The id of the (only) struct of that name. */
function struct(btf: Btf, name: string): number {
  const ids = btf.idsByName(name).filter((id) => btf.kind(id) === "struct");
  expect(ids).toHaveLength(1);
  return ids[0];
}

const KERNELS = VMLINUX_FIXTURES.map((f) => f.replace(/\.btf$/, ""));

describe("format c equals bpftool 7.8 on every kernel blob", () => {
  for (const name of KERNELS) {
    it(`${name}: sorted (the default)`, () => expectSameText(golden(`${name}.sorted`), dumpC(blob(name))));
    it(`${name}: unsorted`, () => expectSameText(golden(`${name}.unsorted`), dumpC(blob(name), { sorted: false })));
    for (const roots of [["task_struct"], ["sk_buff"], ["list_head"], ["sk_buff", "task_struct"]]) {
      it(`${name}: root_id ${roots.join(" root_id ")}`, () => {
        const btf = blob(name);
        expectSameText(golden(`${name}.root-${roots.join("+")}`), dumpC(btf, { rootIds: roots.map((r) => struct(btf, r)) }));
      });
    }
  }
});

describe("modules on their base", () => {
  const amd64 = () => blob("linux-6.1.0-56-amd64");
  it("tcp_bbr on 6.1 amd64", () => expectSameText(golden("linux-6.1.0-56-amd64+tcp_bbr.sorted"), dumpC(load(modulePath("tcp_bbr.btf"), amd64()))));
  it("root_id of a module struct", () => {
    const btf = load(modulePath("tcp_bbr.btf"), amd64());
    expectSameText(golden("linux-6.1.0-56-amd64+tcp_bbr.root-bbr"), dumpC(btf, { rootIds: [struct(btf, "bbr")] }));
  });
  it("s390x tcp_bbr on its big-endian base", () => {
    const base = blob("linux-6.12.95+deb12-s390x");
    expectSameText(golden("linux-6.12.95+deb12-s390x+s390x-tcp_bbr.sorted"), dumpC(load(modulePath("s390x-tcp_bbr.btf"), base)));
  });
  it("nf_tables and tcp_bbr merged (7.8 deduplicates them over the base)", () => {
    const mods = ["nf_tables.btf", "tcp_bbr.btf"].map((m) => load(modulePath(m), amd64()));
    expectSameText(golden("linux-6.1.0-56-amd64+nf_tables+tcp_bbr.merged.sorted"), dumpC(mergeBtf(mods, { base: amd64() }).btf));
  });
});

describe("beyond bpftool 7.8: kfunc options", () => {
  const btf = () => blob("linux-6.18.44-fc-v657");
  it("--no-kfuncs drops the whole block", () => {
    const h = dumpC(btf(), { kfuncs: false });
    expect(h).not.toContain("/* BPF kfuncs */");
    expect(h).not.toContain("__ksym;");
  });
  it("--exclude leaves out matching prototypes only", () => {
    const all = dumpC(btf()).split("\n").filter((l) => l.endsWith(" __weak __ksym;"));
    const some = dumpC(btf(), { excludeKfuncs: ["bpf_obj_*", "bpf_rcu_read_lock"] }).split("\n").filter((l) => l.endsWith(" __weak __ksym;"));
    expect(all).toHaveLength(kfuncIds(btf()).kfuncs.length);
    const gone = all.filter((l) => /\b(bpf_obj_\w*|bpf_rcu_read_lock)\(/.test(l));
    expect(gone.length).toBeGreaterThan(1);
    expect(some).toEqual(all.filter((l) => !gone.includes(l)));
  });
  it("--guard-kfuncs wraps every prototype in its own guard", () => {
    const lines = dumpC(btf(), { guardKfuncs: true }).split("\n");
    const protos = lines.flatMap((l, i) => (l.endsWith(" __weak __ksym;") ? [i] : []));
    expect(protos.length).toBe(kfuncIds(btf()).kfuncs.length);
    const names = protos.map((i) => {
      const name = lines[i - 1].replace(/^#ifndef BPF_NO_KFUNC_/, "");
      expect(lines[i]).toMatch(new RegExp(`[ *]${name}\\(`));
      expect(lines[i + 1]).toBe("#endif");
      return name;
    });
    expect(names).toEqual(kfuncIds(btf()).kfuncs.map((id) => btf().name(id)));
  });
});

const compiles = (header: string, before = "") => compileHeader(header, { uapiTypedefs: false, before });

describe.skipIf(!oracle("clang") || !libbpfDev())("7.8 headers compile with bpf_helpers.h", () => {
  const variants: Array<[string, CDumpOptions]> = [
    ["sorted", {}],
    ["unsorted", { sorted: false }],
    ["--no-kfuncs", { kfuncs: false }],
    ["--guard-kfuncs", { guardKfuncs: true }],
    ["--sort (stable order)", { stableOrder: true }],
  ];
  for (const name of KERNELS) {
    for (const [label, opts] of variants) it(`${name} ${label}`, () => compiles(dumpC(blob(name), opts)));
    // A root_id header has only what its roots need, not the UAPI typedefs bpf_helpers.h wants.
    it(`${name} root_id sk_buff root_id task_struct`, () => {
      const btf = blob(name);
      return compileHeader(dumpC(btf, { rootIds: [struct(btf, "sk_buff"), struct(btf, "task_struct")] }), { uapiTypedefs: true });
    });
  }
  it("a program's own declaration pre-empts a guarded kfunc prototype", async () => {
    const btf = blob("linux-6.18.44-fc-v657");
    // Declared differently (an int instead of u32 parameter): a clash unless the guard steps aside.
    const own = "#define BPF_NO_KFUNC_bpf_rdonly_cast\nextern void *bpf_rdonly_cast(const void *obj, int btf_id) __attribute__((weak)) __attribute__((section(\".ksyms\")));\n";
    await compiles(dumpC(btf, { guardKfuncs: true }), own);
    await expect(compiles(dumpC(btf), own)).rejects.toThrow(/conflicting types/);
  });
});

/**
 * bpftool 7.8's own sorted order breaks ties by type id, so shuffling ids
 * changes its header (look-alike anonymous enums swap `___N` suffixes); the
 * stable order (`--sort`) does not depend on ids.
 */
describe("the stable-sorted 7.8 header does not depend on type ids", () => {
  for (const name of KERNELS) {
    it(name, () => {
      const btf = blob(name);
      const shuffled = shuffle(btf, 0x5eed);
      expectSameText(dumpC(btf, { stableOrder: true }), dumpC(shuffled, { stableOrder: true }));
      // The unsorted header does change, so the comparison is not vacuous.
      expect(dumpC(shuffled, { sorted: false })).not.toBe(dumpC(btf, { sorted: false }));
    });
  }
});
