// Runs every library entry point that fits one hostile input, in a child
// process the test starts under a heap limit. Usage:
//   node hostile-lib.mjs DIST FORM INPUT KCONFIG_OBJECT TARGET
// Prints one JSON line: per entry point, "ok" or the typed error's class.
// An error that is not a BtfkitError ends the process with status 2.
const [dist, form, input, objectFile, targetFile] = process.argv.slice(2);
const lib = await import(`${dist}/index.js`);
const fs = await import("node:fs");

const read = (f) => new Uint8Array(fs.readFileSync(f));
const bytes = read(input);
const object = read(objectFile);
const target = lib.loadBtf(read(targetFile));
const results = {};

function attempt(name, f) {
  try {
    f();
    results[name] = "ok";
  } catch (e) {
    if (!(e instanceof lib.BtfkitError)) {
      process.stdout.write(`${JSON.stringify({ untyped: name, error: String(e?.stack ?? e) })}\n`);
      process.exit(2);
    }
    results[name] = e.name;
  }
}

if (form === "btf" || form === "elf") {
  let btf;
  attempt("loadBtf", () => (btf = lib.loadBtf(bytes)));
  if (btf) {
    attempt("Btf.type", () => {
      for (let id = 1; id < btf.count; id++) btf.type(id);
    });
    attempt("BtfBuilder.from", () => lib.BtfBuilder.from(btf).encode());
    attempt("dumpRaw", () => lib.dumpRaw(btf));
    attempt("dumpJson", () => lib.dumpJson(btf));
    attempt("dumpC", () => lib.dumpC(btf));
    attempt("dedupBtf", () => lib.dedupBtf(btf));
  }
}
if (form === "btf") {
  attempt("relocateObject", () => lib.relocateObject(object, { target: lib.loadBtf(bytes) }));
}
if (form === "elf") {
  attempt("parseElf", () => {
    const elf = lib.parseElf(bytes);
    for (const s of elf.sections) void s.name;
    elf.symbols();
  });
  attempt("BpfObject.open", () => {
    const obj = lib.BpfObject.open(bytes);
    void obj.symbols;
    void obj.programs;
    void obj.maps;
    void obj.ext;
  });
  attempt("dedupObject", () => lib.dedupObject(bytes));
  attempt("relocateObject", () => lib.relocateObject(bytes, { target }));
  attempt("relocateForLoad", () => lib.relocateForLoad(bytes, { target, kernelRelease: "6.1.0" }));
}
// The library takes a decompressed config: gunzip and its cap are the CLI's, so a gzip input runs nothing here.
if (form === "config" && !(bytes[0] === 0x1f && bytes[1] === 0x8b)) {
  attempt("relocateForLoad", () =>
    lib.relocateForLoad(object, { target, config: () => ({ config: bytes, configName: input }), kernelRelease: "6.1.0" }),
  );
}
process.stdout.write(`${JSON.stringify(results)}\n`);
