/** BpfObject: the BTF-defined maps of `.maps`, as libbpf reads them (differential). */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BpfObject, BtfError } from "../../src/index.js";
import { ROOT, clangBpf, libbpfDev, libbpfHarness, oracle } from "../helpers/env.js";

const SOURCES = ["maps.c", "xdp_pass.c"];

describe.skipIf(!oracle("clang") || !oracle("gcc") || !libbpfDev())("BpfObject.maps", () => {
  for (const file of SOURCES) {
    it(`${file}: every map with libbpf's name, type, sizes, max entries and flags`, () => {
      const obj = clangBpf(fs.readFileSync(path.join(ROOT, "test/corpus/elf", file), "utf8"));
      const want = execFileSync(libbpfHarness("test/oracle/maps-oracle.c"), [obj], { encoding: "utf8" });
      const maps = BpfObject.open(new Uint8Array(fs.readFileSync(obj))).maps;
      const got = maps.map((m) => `${m.name} ${m.type} ${m.keySize} ${m.valueSize} ${m.maxEntries} ${m.flags}\n`).join("");
      expect(maps.length).toBeGreaterThan(0);
      expect(got).toBe(want);
    });
  }

  it("maps.c: key and value types, pinning", () => {
    const obj = BpfObject.open(new Uint8Array(fs.readFileSync(clangBpf(fs.readFileSync(path.join(ROOT, "test/corpus/elf/maps.c"), "utf8")))));
    const [events, sized] = obj.maps;
    expect(obj.btf.name(events.keyType)).toBe("u32");
    expect(obj.btf.type(events.valueType)).toMatchObject({ kind: "struct", name: "event" });
    expect([sized.keyType, sized.valueType, sized.pinning]).toEqual([0, 0, 1]);
  });

  it("a definition with a field libbpf does not know is refused, naming the map and field", () => {
    const src = "struct { int (*type)[2]; int (*colour)[3]; } m __attribute__((section(\".maps\"), used));\n";
    const obj = BpfObject.open(new Uint8Array(fs.readFileSync(clangBpf(src))));
    expect(() => obj.maps).toThrow(BtfError);
    expect(() => obj.maps).toThrow(/map 'm': unknown field 'colour'/);
  });
});
