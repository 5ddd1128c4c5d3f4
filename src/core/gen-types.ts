/**
 * `gen types`: a self-contained TypeScript module with an interface and an
 * exact DataView codec for each type a BPF object shares with user space:
 * its maps' keys and values, its global data sections, and named extras
 * (ring buffer events). Every offset, size and bit position comes from BTF,
 * never from TypeScript's idea of a layout; values are read in the object's
 * byte order, so a big-endian object decodes right on any host.
 *
 * The generated decoders are straight-line DataView reads building one object
 * literal per type (as one would write them by hand); encoders zero the
 * type's bytes, then validate and write every member.
 */
import type { Btf } from "../btf/btf.js";
import {
  BTF_INT_BOOL,
  BTF_INT_SIGNED,
  BTF_KIND_ARRAY,
  BTF_KIND_DATASEC,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_UNION,
  BTF_KIND_VAR,
  kindName,
} from "../btf/kinds.js";
import { openNamedObject, type BpfObject } from "../btf/object.js";
import { BtfError } from "../errors.js";
import { kconfigLayout } from "./kconfig.js";

/** Options of {@link generateTypes}. */
export interface GenerateTypesOptions {
  /**
   * More types to generate besides the maps' and data sections': `NAME`, or
   * `struct NAME`, `union NAME`, `enum NAME`, `typedef NAME` where a bare name
   * is ambiguous.
   */
  types?: readonly string[];
  /** The object's name for the module's header comment (and errors about the object's bytes). */
  source?: string;
}

/** libbpf's names of map types (bpftool prints the same), by BPF_MAP_TYPE_* number. */
const MAP_TYPE_NAMES = [
  "unspec", "hash", "array", "prog_array", "perf_event_array", "percpu_hash", "percpu_array", "stack_trace",
  "cgroup_array", "lru_hash", "lru_percpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap",
  "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
  "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter",
  "user_ringbuf", "cgrp_storage", "arena",
];

/** The data sections whose variables user space reads or sets. */
const DATA_SECTION = /^(\.rodata|\.data|\.bss)(\..+)?$|^\.kconfig$/;

/** Names the module itself defines or relies on: a C type of the same PascalCase name gets a `_` suffix. */
const RESERVED = new Set(
  ("LE Codec EncodeError DecodeError ArrayLike Array BigInt BigInt64Array BigUint64Array Boolean DataView Error Float32Array " +
    "Float64Array Int16Array Int32Array Int8Array Math Number Object RangeError String Symbol TextDecoder TextEncoder " +
    "Uint16Array Uint32Array Uint8Array Record Partial Readonly").split(" "),
);

/**
 * A TypeScript module (source text) with interfaces and codecs for the
 * object's map keys and values, its data sections (`.rodata`, `.data`,
 * `.bss`, `.data.*`, `.rodata.*`, `.kconfig`) and `opts.types`, and every
 * named type they reach. See the README's `gen types` section for the
 * module's shape and naming rules. Throws BtfError for a name in
 * `opts.types` that the object's BTF lacks or a type with no layout.
 */
export function generateTypes(object: Uint8Array | BpfObject, opts: GenerateTypesOptions = {}): string {
  const source = opts.source ?? "a BPF object";
  return new Generator(openNamedObject(source, object), source).module(opts.types ?? []);
}

/** A data section as user space sees it: its variables at their offsets. */
interface Section {
  name: string;
  size: number;
  vars: Array<{ name: string; type: number; offset: number }>;
}

/** A member as C reaches it from the type being decoded (anonymous members flattened). */
interface Field {
  name: string;
  type: number;
  /** Bit offset from the start of the outermost type. */
  bitOffset: number;
  bitSize: number;
  /** Reached through a union: optional on encode. */
  optional: boolean;
  /** A zero-length array ending its struct: takes the rest of the view. */
  flexible: boolean;
}

/** How a scalar is read and written. */
interface Scalar {
  /** `int`: number; `big`: bigint; `bool`; `float`; `bytes`: a Uint8Array copy. */
  kind: "int" | "big" | "bool" | "float" | "bytes";
  size: number;
  signed: boolean;
}

const TYPED_ARRAYS: Record<string, string> = {
  "int1s": "Int8Array", "int1u": "Uint8Array", "int2s": "Int16Array", "int2u": "Uint16Array", "int4s": "Int32Array",
  "int4u": "Uint32Array", "big8s": "BigInt64Array", "big8u": "BigUint64Array", "float4s": "Float32Array", "float8s": "Float64Array",
};

class Generator {
  private readonly btf: Btf;
  private readonly le: boolean;
  /** Exported types by id: composites, enums, root typedefs and base types. */
  private readonly names = new Map<number, string>();
  /** Anonymous composites decoded by private helpers. */
  private readonly anon = new Set<number>();
  private readonly sections: Section[] = [];
  private readonly sectionNames = new Map<Section, string>();
  private readonly roots: number[] = [];
  /** The typedef naming each anonymous composite or enum. */
  private readonly typedefName = new Map<number, number>();
  /** Root typedefs that are their target under another spelling (`typedef struct foo foo`). */
  private readonly sameAs = new Map<number, number>();
  private readonly needsInput = new Map<number, boolean>();
  private readonly helpers = new Set<string>();
  /** Anonymous composites whose decode/encode helpers the code calls. */
  private readonly usedAnon = new Set<number>();

  constructor(
    private readonly obj: BpfObject,
    private readonly source: string,
  ) {
    this.btf = obj.btf;
    this.le = obj.btf.littleEndian;
  }

  module(types: readonly string[]): string {
    const btf = this.btf;
    for (let id = 1; id < btf.count; id++) {
      if (btf.kindNumber(id) !== BTF_KIND_TYPEDEF) continue;
      const t = btf.skipModifiers(btf.sizeOrType(id));
      if (btf.nameOff(t) === 0 && isNamable(btf.kindNumber(t)) && !this.typedefName.has(t)) this.typedefName.set(t, id);
    }
    for (const map of this.obj.maps) for (const t of [map.keyType, map.valueType]) if (t) this.roots.push(t);
    this.collectSections();
    for (const spelling of types) this.roots.push(this.lookup(spelling));
    const reached = new Set<number>();
    for (const r of this.roots) this.reach(r, reached, true);
    for (const s of this.sections) for (const v of s.vars) this.reach(v.type, reached, false);
    this.assignNames(reached);
    return this.render();
  }

  // ---- what to generate -----------------------------------------------------

  private collectSections(): void {
    const { btf, obj } = this;
    let kconfig: ReturnType<typeof kconfigLayout> | undefined;
    for (let id = 1; id < btf.count; id++) {
      if (btf.kindNumber(id) !== BTF_KIND_DATASEC) continue;
      const name = btf.name(id);
      if (!DATA_SECTION.test(name) || btf.vlen(id) === 0) continue;
      const vars: Section["vars"] = [];
      let size: number;
      if (name === ".kconfig") {
        kconfig ??= kconfigLayout(obj);
        for (const e of kconfig.externs) vars.push({ name: e.name, type: btf.sizeOrType(e.btfId), offset: e.offset });
        size = kconfig.size;
      } else {
        const sec = obj.elf.section(name);
        const symbols = new Map(sec ? obj.symbols.filter((s) => s.shndx === sec.index).map((s) => [s.name, Number(s.value)]) : []);
        for (let i = 0; i < btf.vlen(id); i++) {
          const v = btf.datasecVarType(id, i);
          if (btf.kindNumber(v) !== BTF_KIND_VAR) continue;
          const varName = btf.name(v);
          // libbpf places each variable at its symbol's value (btf_fixup_datasec); the BTF offset is the fallback.
          vars.push({ name: varName, type: btf.sizeOrType(v), offset: symbols.get(varName) ?? btf.datasecVarOffset(id, i) });
        }
        size = sec ? sec.size : Math.max(0, ...vars.map((v) => v.offset + btf.sizeof(v.type)));
      }
      if (vars.length) this.sections.push({ name, size, vars });
    }
  }

  /** The type `spelling` names: `NAME` or `KIND NAME`. */
  private lookup(spelling: string): number {
    const btf = this.btf;
    const m = /^\s*(?:(struct|union|enum|typedef)\s+)?([A-Za-z_][A-Za-z0-9_]*|[a-z][a-z ]*[a-z])\s*$/.exec(spelling);
    if (!m) throw new BtfError(`'${spelling}' is not a C type name (NAME, or struct/union/enum/typedef NAME)`);
    const [, kind, name] = m;
    const found = btf.idsByName(name).sort((a, b) => a - b).filter((id) => {
      const k = btf.kindNumber(id);
      if (kind === "struct") return k === BTF_KIND_STRUCT;
      if (kind === "union") return k === BTF_KIND_UNION;
      if (kind === "enum") return k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64;
      if (kind === "typedef") return k === BTF_KIND_TYPEDEF;
      return isNamable(k) || k === BTF_KIND_TYPEDEF || k === BTF_KIND_INT || k === BTF_KIND_FLOAT;
    });
    const spellings = [...new Set(found.map((id) => this.spelling(id)))];
    if (spellings.length === 0) throw new BtfError(`the object's BTF has no type '${spelling.trim()}'`);
    if (spellings.length > 1 && new Set(found.map((id) => btf.resolve(id))).size === 1) return found.find((id) => btf.kindNumber(id) !== BTF_KIND_TYPEDEF) ?? found[0];
    if (spellings.length > 1) throw new BtfError(`'${name}' is ambiguous: say which of ${spellings.map((s) => `'${s}'`).join(", ")}`);
    return found[0];
  }

  /** The C spelling of a type: `struct foo`, `typedef foo_t`, `unsigned int`. */
  private spelling(id: number): string {
    const btf = this.btf;
    const k = btf.kindNumber(id);
    const name = btf.name(id);
    if (k === BTF_KIND_STRUCT) return `struct ${name}`;
    if (k === BTF_KIND_UNION) return `union ${name}`;
    if (k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) return `enum ${name}`;
    if (k === BTF_KIND_TYPEDEF) return `typedef ${name}`;
    return name;
  }

  /**
   * Marks what a type needs exported. Typedefs are transparent inside types;
   * a root typedef or base type gets its own codec.
   */
  private reach(id: number, reached: Set<number>, root: boolean): void {
    const btf = this.btf;
    const t = root ? btf.skipModifiers(id) : btf.resolve(id);
    const k = btf.kindNumber(t);
    if (root && k === BTF_KIND_TYPEDEF) {
      // A typedef naming a struct, union or enum (`typedef struct {...} foo;`, `typedef struct foo foo;`) is that type.
      const target = btf.skipModifiers(btf.sizeOrType(t));
      const named = btf.nameOff(target) === 0 ? this.typedefName.get(target) === t : pascalCase(btf.name(target)) === pascalCase(btf.name(t));
      if (isNamable(btf.kindNumber(target)) && named) {
        this.sameAs.set(t, target);
        this.reach(target, reached, true);
        return;
      }
    }
    if (root && (k === BTF_KIND_TYPEDEF || k === BTF_KIND_INT || k === BTF_KIND_FLOAT)) {
      this.scalarOrLayout(t);
      reached.add(t);
      if (k === BTF_KIND_TYPEDEF) this.reach(btf.sizeOrType(t), reached, false);
      return;
    }
    if (root && this.anon.delete(t)) reached.add(t);
    if (reached.has(t) || this.anon.has(t)) return;
    switch (k) {
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
        if (btf.nameOff(t) === 0 && !this.typedefName.has(t) && !root) this.anon.add(t);
        else reached.add(t);
        for (let i = 0; i < btf.vlen(t); i++) this.reach(btf.memberType(t, i), reached, false);
        return;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (btf.nameOff(t) !== 0 || this.typedefName.has(t)) reached.add(t);
        return;
      case BTF_KIND_ARRAY:
        this.reach(btf.arrayElemType(t), reached, false);
        return;
      case BTF_KIND_INT:
      case BTF_KIND_FLOAT:
      case BTF_KIND_PTR:
        return;
      default:
        throw new BtfError(`${this.describe(t)} has no layout user space can read`, { typeId: t });
    }
  }

  /** Export names: PascalCase C names; clashes resolved by kind (struct, union, enum, typedef, base type), then id. */
  private assignNames(reached: Set<number>): void {
    const btf = this.btf;
    const rank = (id: number) => {
      const k = btf.kindNumber(id);
      return k === BTF_KIND_STRUCT ? 0 : k === BTF_KIND_UNION ? 1 : k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64 ? 2 : k === BTF_KIND_TYPEDEF ? 3 : 4;
    };
    const suffix = ["", "Union", "Enum", "Typedef", "Type"];
    const taken = new Set<string>(RESERVED);
    const claim = (base: string, kindSuffix: string): string => {
      let name = base;
      if (taken.has(name) && kindSuffix) name = base + kindSuffix;
      for (let n = 2; taken.has(name); n++) name = `${base}${kindSuffix}_${n}`;
      taken.add(name);
      return name;
    };
    for (const id of [...reached].sort((a, b) => rank(a) - rank(b) || a - b)) {
      const named = btf.nameOff(id) !== 0 ? id : this.typedefName.get(id);
      const base = named === undefined ? `Anon${pascalCase(kindName(btf.kindNumber(id)).toLowerCase())}${id}` : pascalCase(btf.name(named));
      this.names.set(id, claim(base, suffix[rank(id)]));
    }
    for (const s of this.sections) this.sectionNames.set(s, claim(pascalCase(s.name), "Section"));
  }

  // ---- layout walking --------------------------------------------------------

  /** The members of a struct or union as C reaches them, anonymous ones flattened, offsets from `base`. */
  private fields(id: number, base = 0, optional = false): Field[] {
    const btf = this.btf;
    const out: Field[] = [];
    const isUnion = btf.kindNumber(id) === BTF_KIND_UNION;
    const n = btf.vlen(id);
    for (let i = 0; i < n; i++) {
      const type = btf.memberType(id, i);
      const bitOffset = base + btf.memberBitOffset(id, i);
      const bitSize = btf.memberBitfieldSize(id, i);
      const t = btf.resolve(type);
      const k = btf.kindNumber(t);
      if (btf.memberNameOff(id, i) === 0) {
        // An unnamed member: C reaches an anonymous struct's or union's members directly; an unnamed bitfield is padding.
        if ((k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) && bitSize === 0) out.push(...this.fields(t, bitOffset, optional || isUnion));
        continue;
      }
      const flexible = !isUnion && i === n - 1 && k === BTF_KIND_ARRAY && btf.arrayLength(t) === 0;
      out.push({ name: btf.memberName(id, i), type, bitOffset, bitSize, optional: optional || isUnion, flexible });
    }
    return out;
  }

  /** How a scalar type (after typedefs and modifiers) is read; undefined for composites and arrays. */
  private scalar(id: number): Scalar | undefined {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    const size = k === BTF_KIND_PTR ? btf.pointerSize : btf.sizeOrType(t);
    switch (k) {
      case BTF_KIND_INT: {
        const enc = btf.intEncoding(t);
        if (![1, 2, 4, 8, 16].includes(size)) throw new BtfError(`${this.describe(t)} has size ${size}, not 1, 2, 4, 8 or 16`, { typeId: t });
        if (enc & BTF_INT_BOOL) return { kind: "bool", size, signed: false };
        return { kind: size <= 4 ? "int" : "big", size, signed: (enc & BTF_INT_SIGNED) !== 0 };
      }
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
        if (![1, 2, 4, 8].includes(size)) throw new BtfError(`${this.describe(t)} has size ${size}, not 1, 2, 4 or 8`, { typeId: t });
        return { kind: size <= 4 ? "int" : "big", size, signed: btf.kflag(t) };
      case BTF_KIND_FLOAT:
        return size === 4 || size === 8 ? { kind: "float", size, signed: true } : { kind: "bytes", size, signed: false };
      case BTF_KIND_PTR:
        return { kind: "big", size, signed: false };
      default:
        return undefined;
    }
  }

  private scalarOrLayout(id: number): void {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    if (!this.scalar(t) && k !== BTF_KIND_STRUCT && k !== BTF_KIND_UNION && k !== BTF_KIND_ARRAY) {
      throw new BtfError(`${this.describe(id)} has no layout user space can read`, { typeId: id });
    }
  }

  /** Innermost element and dimensions of a (multi-dimensional) array. */
  private dims(id: number): { elem: number; dims: number[] } {
    const btf = this.btf;
    const dims: number[] = [];
    let t = btf.resolve(id);
    while (btf.kindNumber(t) === BTF_KIND_ARRAY) {
      dims.push(btf.arrayLength(t));
      t = btf.resolve(btf.arrayElemType(t));
    }
    return { elem: t, dims };
  }

  /** The typed array class holding elements of a scalar, if any. */
  private typedArray(s: Scalar | undefined): string | undefined {
    return s && s.kind !== "bool" && s.kind !== "bytes" && s.size <= 8 ? TYPED_ARRAYS[`${s.kind}${s.size}${s.signed ? "s" : "u"}`] : undefined;
  }

  /** Char arrays take strings on encode. */
  private isChar(elem: number): boolean {
    const s = this.scalar(elem);
    return s?.kind === "int" && s.size === 1 && /char/.test(this.btf.name(this.btf.resolve(elem)));
  }

  // ---- TypeScript types ---------------------------------------------------------

  /** The TypeScript type of values of `id` (decoded, or accepted by encode). */
  private tsType(id: number, input: boolean): string {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    if (k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) {
      const name = this.names.get(t);
      if (name) return name;
    }
    const s = this.scalar(t);
    if (s) return s.kind === "int" || s.kind === "float" ? "number" : s.kind === "big" ? "bigint" : s.kind === "bool" ? "boolean" : "Uint8Array";
    if (k === BTF_KIND_ARRAY) {
      const { elem, dims } = this.dims(t);
      const es = this.scalar(elem);
      const typed = this.typedArray(es);
      let inner: string;
      if (input) {
        inner = typed ? `ArrayLike<${es!.kind === "big" ? "bigint" : "number"}>${this.isChar(elem) ? " | string" : ""}` : `ArrayLike<${this.tsType(elem, true)}>`;
        for (let d = 1; d < dims.length; d++) inner = `ArrayLike<${inner}>`;
        return inner;
      }
      inner = typed ?? `${this.wrap(this.tsType(elem, false))}[]`;
      for (let d = 1; d < dims.length; d++) inner = `${this.wrap(inner)}[]`;
      return inner;
    }
    if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) {
      const name = this.names.get(t);
      if (name) return input && this.hasInput(t) ? `${name}Input` : name;
      return this.literal(t, input);
    }
    throw new BtfError(`${this.describe(t)} has no layout user space can read`, { typeId: t });
  }

  private wrap(type: string): string {
    return /[ |]/.test(type) && !type.startsWith("{") ? `(${type})` : type;
  }

  /** An inline object type of a composite's fields. */
  private literal(id: number, input: boolean, indent = "  "): string {
    const fields = this.fields(id);
    if (fields.length === 0) return "{}";
    const inner = fields.map((f) => `${indent}  ${this.fieldDecl(f, input, indent + "  ")}`).join("\n");
    return `{\n${inner}\n${indent}}`;
  }

  private fieldDecl(f: Field, input: boolean, indent: string): string {
    const t = this.btf.resolve(f.type);
    const anon = this.anon.has(t) && !this.names.has(t);
    const type = anon ? this.literal(t, input, indent) : this.tsType(f.type, input);
    return `${propertyName(f.name)}${input && (f.optional || f.flexible) ? "?" : ""}: ${type};`;
  }

  /** Whether encode's input type differs from the decoded type: unions (optional members) or arrays (ArrayLike) inside. */
  private hasInput(id: number): boolean {
    const btf = this.btf;
    const t = btf.resolve(id);
    let v = this.needsInput.get(t);
    if (v !== undefined) return v;
    const k = btf.kindNumber(t);
    if (k === BTF_KIND_ARRAY) v = true;
    else if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) v = this.fields(t).some((f) => f.optional || this.hasInput(f.type));
    else v = false;
    this.needsInput.set(t, v);
    return v;
  }

  // ---- code ---------------------------------------------------------------------

  private render(): string {
    const btf = this.btf;
    const parts: string[] = [];
    const order = [...this.names.keys()].sort((a, b) => a - b);
    for (const id of order) {
      const k = btf.kindNumber(id);
      if (k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) parts.push(this.renderEnum(id));
    }
    for (const id of order) {
      const k = btf.kindNumber(id);
      if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) parts.push(this.renderComposite(id));
      else if (k === BTF_KIND_TYPEDEF || k === BTF_KIND_INT || k === BTF_KIND_FLOAT) parts.push(this.renderAlias(id));
    }
    for (const s of this.sections) parts.push(this.renderSection(s));
    // Helpers of anonymous types, as the code above (and theirs) calls them.
    for (const done = new Set<number>(); done.size < this.usedAnon.size; ) {
      for (const id of [...this.usedAnon].filter((a) => !done.has(a)).sort((a, b) => a - b)) {
        done.add(id);
        parts.push(this.renderCoders(id, String(id), this.literal(id, false, ""), this.literal(id, true, "")));
      }
    }
    parts.push(this.renderMaps(), this.renderIndex());
    const order2 = this.le ? "little-endian" : "big-endian";
    const head = [
      `// Types and DataView codecs for ${this.source} (${order2}), generated by btfkit gen types. Do not edit.\n` +
        "// Offsets, sizes and bit positions are the object's BTF; values are read in its byte order.",
      RUNTIME.replace("const LE = true;", `const LE = ${this.le};`).trim(),
      ...[...this.helpers].sort().map((h) => HELPERS[h].trim()),
    ].join("\n\n");
    return `${head}\n\n${parts.join("\n\n")}\n`;
  }

  private renderEnum(id: number): string {
    const btf = this.btf;
    const name = this.names.get(id)!;
    const big = btf.sizeOrType(id) > 4;
    const n = btf.vlen(id);
    const values: string[] = [];
    for (let i = 0; i < n; i++) {
      let v: bigint = btf.kindNumber(id) === BTF_KIND_ENUM64 ? btf.enum64Value(id, i) : BigInt(btf.enumValue(id, i));
      // ENUM values are 32-bit words; kflag says whether they are signed.
      if (btf.kindNumber(id) === BTF_KIND_ENUM) v = btf.kflag(id) ? BigInt.asIntN(32, v) : BigInt.asUintN(32, v);
      else v = btf.kflag(id) ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
      values.push(`  ${propertyName(btf.enumValueName(id, i))}: ${big ? `${v}n` : String(v)},`);
    }
    const any = big ? "(bigint & {})" : "(number & {})";
    const type = n ? `(typeof ${name})[keyof typeof ${name}] | ${any}` : big ? "bigint" : "number";
    return [
      `/** ${this.spelling(id)}: its values; a decoded field may hold others. */`,
      `export const ${name} = {${n ? `\n${values.join("\n")}\n` : ""}} as const;`,
      `export type ${name} = ${type};`,
    ].join("\n");
  }

  private renderComposite(id: number): string {
    const name = this.names.get(id)!;
    const doc = `/** ${this.btf.nameOff(id) === 0 && this.typedefName.has(id) ? this.spelling(this.typedefName.get(id)!) : this.spelling(id)}: ${this.btf.sizeOrType(id)} bytes. */`;
    const parts = [`${doc}\nexport interface ${name} ${this.literal(id, false, "")}`];
    if (this.hasInput(id)) parts.push(`/** What ${name}.encode accepts: union members optional, arrays as any ArrayLike, char arrays as strings. */\nexport interface ${name}Input ${this.literal(id, true, "")}`);
    parts.push(this.renderCoders(id, name), this.renderCodec(id, name, name, this.hasInput(id) ? `${name}Input` : name));
    return parts.join("\n");
  }

  /** A root typedef or base type: a type alias and a codec. */
  private renderAlias(id: number): string {
    const btf = this.btf;
    const name = this.names.get(id)!;
    const t = btf.resolve(id);
    const type = this.tsType(t, false);
    const input = this.tsType(t, true);
    const lines = [`/** ${this.spelling(id)}. */`, `export type ${name} = ${type};`];
    if (input !== type) lines.push(`export type ${name}Input = ${input};`);
    const field: Field = { name: "", type: id, bitOffset: 0, bitSize: 0, optional: false, flexible: false };
    lines.push(
      `function decode$${name}(v: DataView, o: number): ${name} {\n  return ${this.read(field, "o")};\n}`,
      `function encode$${name}(x: ${input === type ? name : `${name}Input`}, v: DataView, o: number, p: string): void {\n${this.write(field, "x", "o", "p", "  ")}\n}`,
      this.renderCodec(id, name, name, input === type ? name : `${name}Input`),
    );
    return lines.join("\n");
  }

  private renderSection(s: Section): string {
    const name = this.sectionNames.get(s)!;
    const fields: Field[] = s.vars.map((v) => ({ name: v.name, type: v.type, bitOffset: v.offset * 8, bitSize: 0, optional: false, flexible: false }));
    const decl = (input: boolean) => `{\n${fields.map((f) => `  ${this.fieldDecl(f, input, "  ")}`).join("\n")}\n}`;
    const hasInput = fields.some((f) => this.hasInput(f.type));
    const parts = [`/** The variables of ${s.name} (${s.size} bytes). */\nexport interface ${name} ${decl(false)}`];
    if (hasInput) parts.push(`export interface ${name}Input ${decl(true)}`);
    const input = hasInput ? `${name}Input` : name;
    parts.push(
      `function decode$${name}(v: DataView, o: number): ${name} {\n  return {\n${fields.map((f) => `    ${this.entry(f)},`).join("\n")}\n  };\n}`,
      `function encode$${name}(x: ${input}, v: DataView, o: number, p: string): void {\n${fields.map((f) => this.write(f, `x${access(f.name)}`, "o", `p + ${JSON.stringify(`.${f.name}`)}`, "  ")).join("\n")}\n}`,
    );
    const align = Math.max(1, ...s.vars.map((v) => this.alignOf(v.type)));
    parts.push(`export const ${name}: Codec<${name === input ? name : `${name}, ${input}`}> = {\n  size: ${s.size},\n  align: ${align},\n  decode: (view, offset = 0) => decode$${name}(need(view, offset, ${s.size}, ${JSON.stringify(name)}), offset),\n  encode: encoder(${s.size}, ${JSON.stringify(name)}, true, encode$${name}),\n};`);
    return parts.join("\n");
  }

  /** `decodeX`/`encodeX` for a composite. */
  private renderCoders(id: number, fn: string, type?: string, input?: string): string {
    const decoded = type ?? fn;
    const accepted = input ?? (this.hasInput(id) ? `${fn}Input` : fn);
    const fields = this.fields(id);
    const body = fields.length ? `{\n${fields.map((f) => `    ${this.entry(f)},`).join("\n")}\n  }` : "{}";
    const writes = this.writeComposite(id, "x", "o", "p", "  ");
    return [
      `function decode$${fn}(v: DataView, o: number): ${decoded} {\n  return ${body};\n}`,
      `function encode$${fn}(x: ${accepted}, v: DataView, o: number, p: string): void {\n${writes || "  // no members"}\n}`,
    ].join("\n");
  }

  private renderCodec(id: number, name: string, type: string, input: string): string {
    const fn = name;
    const btf = this.btf;
    const size = btf.sizeof(id);
    const fields = btf.kindNumber(btf.resolve(id)) === BTF_KIND_STRUCT ? this.fields(btf.resolve(id)) : [];
    const flex = fields.find((f) => f.flexible);
    const k = btf.kindNumber(btf.resolve(id));
    const object = k === BTF_KIND_STRUCT || k === BTF_KIND_UNION;
    let tail = "";
    if (flex) {
      const elemSize = btf.sizeof(btf.arrayElemType(btf.resolve(flex.type)));
      tail = `, (x) => (typeof x${access(flex.name)} === "string" ? 0 : (x${access(flex.name)}?.length ?? 0)) * ${elemSize}`;
    }
    return `export const ${name}: Codec<${type === input ? type : `${type}, ${input}`}> = {\n  size: ${size},\n  align: ${this.alignOf(id)},\n  decode: (view, offset = 0) => decode$${fn}(need(view, offset, ${size}, ${JSON.stringify(name)}), offset),\n  encode: encoder(${size}, ${JSON.stringify(name)}, ${object}, encode$${fn}${tail}),\n};`;
  }

  private renderMaps(): string {
    const entries = this.obj.maps.map((m) => {
      const codec = (t: number) => (t ? this.codecFor(t) : "undefined");
      return [
        `  ${propertyName(m.name)}: {`,
        `    name: ${JSON.stringify(m.name)},`,
        `    type: ${m.type},`,
        `    typeName: ${JSON.stringify(MAP_TYPE_NAMES[m.type] ?? `type ${m.type}`)},`,
        `    keySize: ${m.keySize},`,
        `    valueSize: ${m.valueSize},`,
        `    maxEntries: ${m.maxEntries},`,
        `    flags: ${m.flags},`,
        `    key: ${codec(m.keyType)},`,
        `    value: ${codec(m.valueType)},`,
        "  },",
      ].join("\n");
    });
    return `/** The object's BTF-defined maps (.maps), with codecs for keys and values that have BTF types. */\nexport const maps = {${entries.length ? `\n${entries.join("\n")}\n` : ""}} as const;`;
  }

  /** The codec expression for a root type (a map key or value). */
  private codecFor(id: number): string {
    const btf = this.btf;
    const t = btf.skipModifiers(id);
    const name = this.names.get(this.sameAs.get(t) ?? t);
    if (!name) throw new BtfError(`${this.describe(t)} has no codec`, { typeId: t });
    const k = btf.kindNumber(btf.resolve(t));
    if ((k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) && !this.names.has(t)) throw new BtfError(`${this.describe(t)}: an enum root has no codec`, { typeId: t });
    return name;
  }

  private renderIndex(): string {
    const btf = this.btf;
    const entries: string[] = [];
    for (const [id, name] of [...this.names].sort((a, b) => a[0] - b[0])) {
      const k = btf.kindNumber(id);
      if (k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64) continue;
      const spelling = btf.nameOff(id) === 0 && this.typedefName.has(id) ? this.spelling(this.typedefName.get(id)!) : btf.nameOff(id) === 0 ? undefined : this.spelling(id);
      if (spelling) entries.push(`  ${JSON.stringify(spelling)}: ${name},`);
    }
    for (const [typedef, target] of this.sameAs) {
      if (btf.nameOff(target) !== 0 && this.names.has(target)) entries.push(`  ${JSON.stringify(this.spelling(typedef))}: ${this.names.get(target)},`);
    }
    for (const s of this.sections) entries.push(`  ${JSON.stringify(s.name)}: ${this.sectionNames.get(s)},`);
    // Distinct types sharing a spelling (block-scope types) are told apart as format c tells them: `name___2`.
    const seen = new Map<string, number>();
    for (let i = 0; i < entries.length; i++) {
      const key = /^ {2}("[^"]*")/.exec(entries[i])![1];
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      if (n > 1) entries[i] = entries[i].replace(key, `${key.slice(0, -1)}___${n}"`);
    }
    return `/** Every codec of this module by its C spelling (\`struct event\`, \`typedef u32\`, \`.rodata\`). */\nexport const codecs = {${entries.length ? `\n${entries.join("\n")}\n` : ""}} as const;`;
  }

  // ---- decode expressions ---------------------------------------------------------

  /** `name: expression` in a decoder's object literal. */
  private entry(f: Field): string {
    const key = f.name === "__proto__" ? '["__proto__"]' : propertyName(f.name);
    return `${key}: ${this.read(f, `o`)}`;
  }

  private at(base: string, bytes: number): string {
    return bytes === 0 ? base : `${base} + ${bytes}`;
  }

  /** The expression reading a field of the type whose bytes start at `base`. */
  private read(f: Field, base: string): string {
    if (f.bitSize > 0 || f.bitOffset % 8 !== 0) return this.readBits(f, base);
    return this.readValue(f.type, this.at(base, f.bitOffset / 8), f.flexible);
  }

  private readValue(id: number, off: string, flexible = false): string {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    const s = this.scalar(t);
    if (s) return this.readScalar(s, off);
    if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) return `decode$${this.coderName(t)}(v, ${off})`;
    if (k === BTF_KIND_ARRAY) {
      const { elem, dims } = this.dims(t);
      const elemSize = btf.sizeof(elem);
      const typed = this.typedArray(this.scalar(elem));
      // The innermost dimension: a typed array when the elements are numbers.
      const innermost = (o: string, n: string) => {
        if (typed && elemSize === 1) return `bytes${typed === "Uint8Array" ? "" : "Signed"}(v, ${o}, ${n})`;
        if (typed) return this.use(`${typed}`, o, n, elemSize);
        this.helpers.add("list");
        return `list(${n}, ${o}, ${elemSize}, (o) => ${this.readValue(elem, "o")})`;
      };
      if (typed && elemSize === 1) this.helpers.add(typed === "Uint8Array" ? "bytes" : "bytesSigned");
      let stride = elemSize;
      const counts = dims.map((d, i) => (flexible && i === 0 ? `rest(v, ${off}, ${btf.sizeof(btf.arrayElemType(t))})` : String(d)));
      if (flexible) this.helpers.add("rest");
      let expr = (o: string) => innermost(o, counts[counts.length - 1]);
      for (let d = dims.length - 2; d >= 0; d--) {
        stride *= dims[d + 1];
        const inner = expr;
        const s2 = stride;
        const n = counts[d];
        this.helpers.add("list");
        expr = (o: string) => `list(${n}, ${o}, ${s2}, (o) => ${inner("o")})`;
      }
      return expr(off);
    }
    throw new BtfError(`${this.describe(t)} has no layout user space can read`, { typeId: t });
  }

  /** The suffix of a composite's decode$/encode$ functions: its export name, or its id when anonymous. */
  private coderName(id: number): string {
    const name = this.names.get(id);
    if (name) return name;
    this.usedAnon.add(id);
    return String(id);
  }

  /** A typed-array reader helper for `typed` elements of `size` bytes. */
  private use(typed: string, o: string, n: string, size: number): string {
    const fn = `arr${typed.replace("Array", "")}`;
    this.helpers.add(`typed:${typed}:${size}`);
    return `${fn}(v, ${o}, ${n})`;
  }

  private readScalar(s: Scalar, off: string): string {
    const le = this.le ? ", true" : "";
    switch (s.kind) {
      case "bool":
        return s.size === 1 ? `v.getUint8(${off}) !== 0` : `${this.readScalar({ kind: s.size <= 4 ? "int" : "big", size: s.size, signed: false }, off)} !== ${s.size <= 4 ? "0" : "0n"}`;
      case "int":
        if (s.size === 1) return `v.get${s.signed ? "Int8" : "Uint8"}(${off})`;
        return `v.get${s.signed ? "Int" : "Uint"}${s.size * 8}(${off}${le})`;
      case "big":
        if (s.size === 8) return `v.get${s.signed ? "BigInt64" : "BigUint64"}(${off}${le})`;
        if (s.size === 4) return `BigInt(v.getUint32(${off}${le}))`;
        this.helpers.add("int128");
        return `int128(v, ${off}, ${s.signed})`;
      case "float":
        return `v.getFloat${s.size * 8}(${off}${le})`;
      case "bytes":
        this.helpers.add("bytes");
        return `bytes(v, ${off}, ${s.size})`;
    }
  }

  /** A bitfield: the bytes it spans, as the object's byte order numbers its bits. */
  private readBits(f: Field, base: string): string {
    const s = this.scalar(f.type);
    if (!s || s.kind === "float" || s.kind === "bytes") {
      throw new BtfError(`bitfield '${f.name}' of ${this.describe(f.type)}: only integers, bools and enums can be bitfields`, { typeId: f.type });
    }
    const bits = f.bitSize || s.size * 8;
    const first = Math.floor(f.bitOffset / 8);
    const sh = f.bitOffset % 8;
    const n = Math.ceil((sh + bits) / 8);
    // The field's lowest bit within the n bytes read as one integer in the object's byte order.
    const low = this.le ? sh : n * 8 - sh - bits;
    const off = this.at(base, first);
    const signed = s.signed && s.kind !== "bool";
    let expr: string;
    if (n <= 4 && bits <= 32 && n !== 3) {
      const raw = this.readScalar({ kind: "int", size: n, signed: false }, off);
      if (bits === 32) expr = signed ? `${raw} | 0` : raw;
      else if (signed) expr = `(${raw} << ${32 - low - bits}) >> ${32 - bits}`;
      else expr = low ? `(${raw} >>> ${low}) & ${2 ** bits - 1}` : `${raw} & ${2 ** bits - 1}`;
      if (s.kind === "big") expr = `BigInt(${expr})`;
    } else if (bits <= 32 && n <= 6) {
      this.helpers.add("bits");
      expr = `bits(v, ${off}, ${n}, ${low}, ${bits}, ${signed})`;
      if (s.kind === "big") expr = `BigInt(${expr})`;
    } else {
      this.helpers.add("bigBits");
      expr = `bigBits(v, ${off}, ${n}, ${low}, ${bits}, ${signed})`;
      if (s.kind !== "big") expr = `Number(${expr})`;
    }
    return s.kind === "bool" ? `(${expr}) !== 0` : expr;
  }

  // ---- encode statements --------------------------------------------------------------

  private writeComposite(id: number, x: string, base: string, path: string, indent: string): string {
    const btf = this.btf;
    const fields = this.fields(id);
    if (btf.kindNumber(id) === BTF_KIND_UNION || fields.some((f) => f.optional)) {
      // Members present are written smallest first: the largest given wins where they overlap.
      const sized = fields.map((f, i) => ({ f, i, size: f.bitSize ? f.bitSize / 8 : this.sizeOf(f) }));
      sized.sort((a, b) => a.size - b.size || a.i - b.i);
      return sized.map(({ f }) => this.writeField(f, x, base, path, indent)).join("\n");
    }
    return fields.map((f) => this.writeField(f, x, base, path, indent)).join("\n");
  }

  private sizeOf(f: Field): number {
    return f.flexible ? 0 : this.btf.sizeof(f.type);
  }

  private writeField(f: Field, x: string, base: string, path: string, indent: string): string {
    const value = `${x}${access(f.name)}`;
    const p = `${path} + ${JSON.stringify(`.${f.name}`)}`;
    const stmt = this.write(f, value, base, p, f.optional || f.flexible ? indent + "  " : indent);
    return f.optional || f.flexible ? `${indent}if (${value} !== undefined) {\n${stmt}\n${indent}}` : stmt;
  }

  /** Statements writing `value` (an expression) as field `f` of the type at `base`. */
  private write(f: Field, value: string, base: string, path: string, indent: string): string {
    if (f.bitSize > 0 || f.bitOffset % 8 !== 0) {
      const s = this.scalar(f.type)!;
      const bits = f.bitSize || s.size * 8;
      const sh = f.bitOffset % 8;
      const n = Math.ceil((sh + bits) / 8);
      const low = this.le ? sh : n * 8 - sh - bits;
      this.helpers.add("wBits");
      return `${indent}wBits(v, ${this.at(base, Math.floor(f.bitOffset / 8))}, ${n}, ${low}, ${bits}, ${s.signed && s.kind !== "bool"}, ${JSON.stringify(s.kind)}, ${value}, ${path});`;
    }
    return this.writeValue(f.type, value, this.at(base, f.bitOffset / 8), path, indent, f.flexible);
  }

  private writeValue(id: number, value: string, off: string, path: string, indent: string, flexible = false): string {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    const s = this.scalar(t);
    if (s) {
      const fn = { int: "wInt", big: "wBig", bool: "wBool", float: "wFloat", bytes: "wBytes" }[s.kind];
      this.helpers.add(fn);
      return `${indent}${fn}(v, ${off}, ${s.size}, ${s.signed}, ${value}, ${path});`;
    }
    if (k === BTF_KIND_STRUCT || k === BTF_KIND_UNION) {
      this.helpers.add("obj");
      return `${indent}encode$${this.coderName(t)}(obj(${value}, ${path}), v, ${off}, ${path});`;
    }
    if (k === BTF_KIND_ARRAY) {
      const elem = btf.arrayElemType(t);
      const n = btf.arrayLength(t);
      const elemSize = btf.sizeof(elem);
      const es = this.scalar(elem);
      const loose = es?.kind === "int" && es.size === 1;
      this.helpers.add("each");
      const max = flexible ? "-1" : String(n);
      const inner = this.writeValue(elem, "e", "o", "q", "");
      const str = loose && this.isChar(elem) ? "true" : "false";
      return `${indent}each(v, ${value}, ${max}, ${loose}, ${str}, ${off}, ${elemSize}, ${path}, (e, o, q) => { ${inner.trim()} });`;
    }
    throw new BtfError(`${this.describe(t)} has no layout user space can read`, { typeId: t });
  }

  /**
   * C's alignment as far as BTF tells it: libbpf's btf__align_of (natural
   * alignment, 1 for a packed type) but with 16-byte integers and floats
   * aligned to 16, as both clang's BPF target and x86-64 align them.
   * `aligned(N)` attributes leave no trace in BTF beyond offsets and size.
   */
  private alignOf(id: number): number {
    const btf = this.btf;
    const t = btf.resolve(id);
    const k = btf.kindNumber(t);
    if (k === BTF_KIND_ARRAY) return this.alignOf(btf.arrayElemType(t));
    if ((k === BTF_KIND_INT || k === BTF_KIND_FLOAT) && btf.sizeOrType(t) === 16) return 16;
    if (k !== BTF_KIND_STRUCT && k !== BTF_KIND_UNION) return Math.max(1, btf.alignof(t));
    let max = 1;
    for (let i = 0; i < btf.vlen(t); i++) {
      const a = this.alignOf(btf.memberType(t, i));
      if (btf.memberBitfieldSize(t, i) === 0 && (btf.memberBitOffset(t, i) / 8) % a !== 0) return 1;
      max = Math.max(max, a);
    }
    return btf.sizeOrType(t) % max === 0 ? max : 1;
  }

  private describe(id: number): string {
    const btf = this.btf;
    if (id === 0) return "void";
    const name = btf.name(id);
    return `${kindName(btf.kindNumber(id))}${name ? ` '${name}'` : ""} [${id}]`;
  }
}

function isNamable(k: number): boolean {
  return k === BTF_KIND_STRUCT || k === BTF_KIND_UNION || k === BTF_KIND_ENUM || k === BTF_KIND_ENUM64;
}

/** `foo_bar` → `FooBar`, `__u32` → `U32`, `unsigned int` → `UnsignedInt`, `.rodata` → `Rodata`. */
function pascalCase(name: string): string {
  const s = name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
  return s === "" ? "T" : /^[0-9]/.test(s) ? `T${s}` : s;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name as written in a type or object literal. */
function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** `.name` or `["name"]`. */
function access(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** What every module has: the error classes, the codec interface, bounds checks, the encode wrapper. */
const RUNTIME = `
/** Thrown by encode: a member missing, of the wrong type or out of range; \`field\` is its path. */
export class EncodeError extends RangeError {
  readonly field: string;
  constructor(field: string, message: string) {
    super(\`\${field}: \${message}\`);
    this.name = "EncodeError";
    this.field = field;
  }
}

/** Thrown by decode when the view is shorter than the type. */
export class DecodeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

/** Reads and writes one C type. \`decode\` never throws on a view of at least \`size\` bytes from \`offset\`. */
export interface Codec<T, I = T> {
  readonly size: number;
  readonly align: number;
  decode(view: DataView, offset?: number): T;
  /** A new Uint8Array of \`size\` bytes (more for a flexible array member at the end). */
  encode(value: I): Uint8Array;
  /** Writes into \`view\` at \`offset\`; padding becomes zero. */
  encode(value: I, view: DataView, offset?: number): void;
}

/** The object's byte order. */
const LE = true;

/** The text of a C string: bytes up to the first NUL, as UTF-8. */
export function cString(a: ArrayLike<number>): string {
  const bytes = Uint8Array.from(a);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function need(view: DataView, offset: number, size: number, name: string): DataView {
  if (!(offset >= 0 && offset + size <= view.byteLength)) {
    throw new DecodeError(\`\${name}: \${size} bytes at offset \${offset} do not fit a view of \${view.byteLength} bytes\`);
  }
  return view;
}

/** encode() of a codec: \`object\` when values are objects, \`tail\` the bytes of a flexible array member. */
function encoder<I>(size: number, name: string, object: boolean, write: (x: I, v: DataView, o: number, p: string) => void, tail?: (x: I) => number): Codec<unknown, I>["encode"] {
  function encode(value: I): Uint8Array;
  function encode(value: I, view: DataView, offset?: number): void;
  function encode(value: I, view?: DataView, offset = 0): Uint8Array | void {
    if (object && (typeof value !== "object" || value === null)) throw new EncodeError(name, \`expected an object, got \${value === null ? "null" : typeof value}\`);
    const total = size + (tail ? tail(value) : 0);
    const bytes = view ? undefined : new Uint8Array(total);
    const v = view ?? new DataView(bytes!.buffer);
    if (!(offset >= 0 && offset + total <= v.byteLength)) {
      throw new EncodeError(name, \`\${total} bytes at offset \${offset} do not fit a view of \${v.byteLength} bytes\`);
    }
    new Uint8Array(v.buffer, v.byteOffset + offset, total).fill(0);
    write(value, v, offset, name);
    return bytes;
  }
  return encode;
}
`;

/** Helpers a module includes only when its types need them. */
const HELPERS: Record<string, string> = {
  list: `
function list<T>(n: number, o: number, stride: number, read: (o: number) => T): T[] {
  const a = new Array<T>(n);
  for (let i = 0; i < n; i++) a[i] = read(o + i * stride);
  return a;
}`,
  rest: `
/** Whole elements of a flexible array member: what the view holds after it. */
function rest(v: DataView, o: number, size: number): number {
  return Math.max(0, Math.floor((v.byteLength - o) / size));
}`,
  bytes: `
function bytes(v: DataView, o: number, n: number): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset + o, n).slice();
}`,
  bytesSigned: `
function bytesSigned(v: DataView, o: number, n: number): Int8Array {
  return new Int8Array(v.buffer, v.byteOffset + o, n).slice();
}`,
  int128: `
function int128(v: DataView, o: number, signed: boolean): bigint {
  const lo = v.getBigUint64(LE ? o : o + 8, LE);
  const hi = v.getBigUint64(LE ? o + 8 : o, LE);
  const x = (hi << 64n) | lo;
  return signed ? BigInt.asIntN(128, x) : x;
}`,
  bits: `
/** A bitfield of up to 32 bits spanning 3, 5 or 6 bytes: \`low\` is its lowest bit in those bytes read as one integer. */
function bits(v: DataView, o: number, n: number, low: number, width: number, signed: boolean): number {
  let raw = 0;
  for (let i = 0; i < n; i++) raw += v.getUint8(o + i) * 2 ** (8 * (LE ? i : n - 1 - i));
  const x = Math.floor(raw / 2 ** low) % 2 ** width;
  return signed && x >= 2 ** (width - 1) ? x - 2 ** width : x;
}`,
  bigBits: `
function bigBits(v: DataView, o: number, n: number, low: number, width: number, signed: boolean): bigint {
  let raw = 0n;
  for (let i = 0; i < n; i++) raw |= BigInt(v.getUint8(o + i)) << BigInt(8 * (LE ? i : n - 1 - i));
  const x = raw >> BigInt(low);
  return signed ? BigInt.asIntN(width, x) : BigInt.asUintN(width, x);
}`,
  wBits: `
function wBits(v: DataView, o: number, n: number, low: number, width: number, signed: boolean, kind: string, x: unknown, p: string): void {
  let value: bigint;
  if (kind === "bool") {
    if (typeof x !== "boolean") throw new EncodeError(p, \`expected a boolean, got \${typeof x}\`);
    value = x ? 1n : 0n;
  } else if (kind === "big") {
    if (typeof x !== "bigint") throw new EncodeError(p, \`expected a bigint, got \${typeof x}\`);
    value = x;
  } else {
    if (typeof x !== "number" || !Number.isInteger(x)) throw new EncodeError(p, \`expected an integer, got \${String(x)}\`);
    value = BigInt(x);
  }
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  if (value < min || value > max) throw new EncodeError(p, \`\${value} does not fit \${signed ? "a signed" : "an unsigned"} \${width}-bit field\`);
  const field = BigInt.asUintN(width, value) << BigInt(low);
  const mask = ((1n << BigInt(width)) - 1n) << BigInt(low);
  for (let i = 0; i < n; i++) {
    const shift = BigInt(8 * (LE ? i : n - 1 - i));
    const m = Number((mask >> shift) & 0xffn);
    const b = Number((field >> shift) & 0xffn);
    v.setUint8(o + i, (v.getUint8(o + i) & ~m) | b);
  }
}`,
  wInt: `
function wInt(v: DataView, o: number, size: number, signed: boolean, x: unknown, p: string): void {
  if (typeof x !== "number" || !Number.isInteger(x)) throw new EncodeError(p, \`expected an integer, got \${String(x)}\`);
  const bits = size * 8;
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  if (x < min || x > max) throw new EncodeError(p, \`\${x} does not fit \${signed ? "a signed" : "an unsigned"} \${bits}-bit integer\`);
  if (size === 1) v.setUint8(o, x & 0xff);
  else if (size === 2) v.setUint16(o, x & 0xffff, LE);
  else v.setUint32(o, x >>> 0, LE);
}`,
  wBig: `
function wBig(v: DataView, o: number, size: number, signed: boolean, x: unknown, p: string): void {
  if (typeof x !== "bigint") throw new EncodeError(p, \`expected a bigint, got \${typeof x}\`);
  const bits = size * 8;
  if ((signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x)) !== x) {
    throw new EncodeError(p, \`\${x} does not fit \${signed ? "a signed" : "an unsigned"} \${bits}-bit integer\`);
  }
  const u = BigInt.asUintN(bits, x);
  if (size === 4) v.setUint32(o, Number(u), LE);
  else if (size === 8) v.setBigUint64(o, u, LE);
  else {
    v.setBigUint64(LE ? o : o + 8, BigInt.asUintN(64, u), LE);
    v.setBigUint64(LE ? o + 8 : o, u >> 64n, LE);
  }
}`,
  wBool: `
function wBool(v: DataView, o: number, size: number, _signed: boolean, x: unknown, p: string): void {
  if (typeof x !== "boolean") throw new EncodeError(p, \`expected a boolean, got \${typeof x}\`);
  if (x) v.setUint8(LE ? o : o + size - 1, 1);
}`,
  wFloat: `
function wFloat(v: DataView, o: number, size: number, _signed: boolean, x: unknown, p: string): void {
  if (typeof x !== "number") throw new EncodeError(p, \`expected a number, got \${typeof x}\`);
  if (size === 4) v.setFloat32(o, x, LE);
  else v.setFloat64(o, x, LE);
}`,
  wBytes: `
function wBytes(v: DataView, o: number, size: number, _signed: boolean, x: unknown, p: string): void {
  if (!(x instanceof Uint8Array) || x.length !== size) throw new EncodeError(p, \`expected a Uint8Array of \${size} bytes\`);
  new Uint8Array(v.buffer, v.byteOffset + o, size).set(x);
}`,
  obj: `
function obj<T>(x: T, p: string): T {
  if (typeof x !== "object" || x === null) throw new EncodeError(p, \`expected an object, got \${x === null ? "null" : typeof x}\`);
  return x;
}`,
  each: `
/**
 * Writes an array's elements. \`max\`: its length (-1: a flexible array, any length);
 * arrays of 1-byte elements may be shorter (the rest stays zero), char arrays take a string.
 */
function each<E>(v: DataView, x: ArrayLike<E> | string, max: number, loose: boolean, text: boolean, o: number, size: number, p: string, write: (e: E, o: number, p: string) => void): void {
  if (typeof x === "string") {
    if (!text) throw new EncodeError(p, "expected an array, got a string");
    const bytes = new TextEncoder().encode(x);
    if (max >= 0 && bytes.length > max) throw new EncodeError(p, \`"\${x}" is \${bytes.length} bytes, more than \${max}\`);
    new Uint8Array(v.buffer, v.byteOffset + o, bytes.length).set(bytes);
    return;
  }
  if (typeof x !== "object" || x === null || typeof x.length !== "number") throw new EncodeError(p, "expected an array");
  if (max >= 0 && (loose ? x.length > max : x.length !== max)) {
    throw new EncodeError(p, \`expected \${loose ? "at most " : ""}\${max} elements, got \${x.length}\`);
  }
  for (let i = 0; i < x.length; i++) write(x[i], o + i * size, \`\${p}[\${i}]\`);
}`,
};

for (const [typed, size] of [
  ["Int16Array", 2], ["Uint16Array", 2], ["Int32Array", 4], ["Uint32Array", 4], ["BigInt64Array", 8], ["BigUint64Array", 8], ["Float32Array", 4], ["Float64Array", 8],
] as const) {
  const get = typed.replace("Array", "");
  HELPERS[`typed:${typed}:${size}`] = `
function arr${typed.replace("Array", "")}(v: DataView, o: number, n: number): ${typed} {
  const a = new ${typed}(n);
  for (let i = 0; i < n; i++) a[i] = v.get${get}(o + i * ${size}, LE);
  return a;
}`;
}
