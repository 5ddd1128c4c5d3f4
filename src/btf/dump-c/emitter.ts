/**
 * C declarations from BTF, following libbpf's btf_dump.c semantics: a
 * topological "order" pass that decides what must be fully defined before
 * what, then an "emit" pass that prints definitions and the forward
 * declarations that break pointer cycles. Names that clash get `___N`
 * suffixes in order of first mention, exactly as libbpf assigns them.
 */
import type { Btf } from "../btf.js";
import { BtfError } from "../../errors.js";
import {
  BTF_KIND_ARRAY,
  BTF_KIND_CONST,
  BTF_KIND_DATASEC,
  BTF_KIND_DECL_TAG,
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FLOAT,
  BTF_KIND_FUNC,
  BTF_KIND_FUNC_PROTO,
  BTF_KIND_FWD,
  BTF_KIND_INT,
  BTF_KIND_PTR,
  BTF_KIND_RESTRICT,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_TYPE_TAG,
  BTF_KIND_UNION,
  BTF_KIND_VAR,
  BTF_KIND_VOLATILE,
  isCompositeKind,
  isModifierKind,
  kindDescriptor,
} from "../kinds.js";
import type { ByteSink } from "../sink.js";
import { NameCounter } from "./names.js";
import { emitBitPadding, indent } from "./padding.js";

// Order and emit states; 0 (not ordered / not emitted) is what the typed arrays start with.
const ORDERING = 1;
const ORDERED = 2;
const NOT_EMITTED = 0;
const EMITTING = 1;
const EMITTED = 2;

/** Deeper recursion than this only happens on malformed (cyclic) BTF. */
const MAX_DEPTH = 2048;

/** GCC's ARM SIMD poly types: libbpf aliases them to standard types when met. */
const BUILTIN_VA_LIST = new TextEncoder().encode("__builtin_va_list");
const GNUC_VA_LIST = new TextEncoder().encode("__gnuc_va_list");

const MISSING_BASE_TYPES: Record<string, string> = {
  __Poly8_t: "unsigned char",
  __Poly16_t: "unsigned short",
  __Poly64_t: "unsigned long long",
  __Poly128_t: "unsigned __int128",
};

export interface EmitterOptions {
  /**
   * libbpf >= 1.1 appends `__attribute__((mode(byte|word)))` to 1- and 8-byte
   * enums; Debian's bpftool 7.1 (kernel 6.1 libbpf) does not.
   */
  enumModeAttributes: boolean;
  /**
   * Print `(void)` for prototypes without parameters (kernel 6.1.y stable,
   * libbpf >= 1.5) rather than `()` (stock libbpf 1.1).
   */
  voidParams: boolean;
  /**
   * A TYPE_TAG with kflag set is a plain attribute (`__attribute__((NAME))`,
   * e.g. `address_space(1)`), as libbpf >= 1.6 prints it; otherwise every
   * type tag is `btf_type_tag("NAME")`.
   */
  typeTagAttributes: boolean;
}

export class CEmitter {
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly referenced: Uint8Array;
  /** Per id: 0 until its name is resolved, then the holder count (1 = bare name, n = `name___n`). */
  private readonly nameSuffix: Int32Array;
  private readonly typeNames: NameCounter;
  private readonly identNames: NameCounter;
  private queue: number[] = [];
  private depth = 0;

  constructor(
    private readonly btf: Btf,
    private readonly out: ByteSink,
    private readonly opts: EmitterOptions,
  ) {
    const n = btf.count;
    this.orderState = new Uint8Array(n);
    this.emitState = new Uint8Array(n);
    this.fwdEmitted = new Uint8Array(n);
    this.referenced = new Uint8Array(n);
    this.nameSuffix = new Int32Array(n);
    this.typeNames = new NameCounter(btf);
    this.identNames = new NameCounter(btf);
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
    this.markReferenced();
  }

  /** Emits `id` and everything it needs that was not emitted yet (btf_dump__dump_type). */
  dumpType(id: number): void {
    if (!this.btf.hasType(id)) throw new BtfError(`type id ${id} is out of range`, { typeId: id });
    this.queue = [];
    this.order(id, false);
    for (const q of this.queue) this.emit(q, 0);
  }

  private checkRef(id: number, from: number): number {
    if (id >= this.btf.count) throw new BtfError(`reference to type id ${id}, which does not exist`, { typeId: from });
    return id;
  }

  /** Types referenced by others; an anonymous enum nobody references is a top-level constant block. */
  private markReferenced(): void {
    const btf = this.btf;
    const ref = this.referenced;
    for (let id = 1; id < btf.count; id++) {
      const kind = btf.kindNumber(id);
      if (!kindDescriptor(kind)) throw new BtfError(`cannot emit C for BTF kind ${kind}`, { typeId: id });
      // libbpf (btf_dump_mark_referenced) skips a prototype's return type and a FWD's (always 0) type word: the first ref.
      const first = kind === BTF_KIND_FUNC_PROTO || kind === BTF_KIND_FWD ? 1 : 0;
      const n = btf.typeRefCount(id);
      for (let i = first; i < n; i++) ref[this.checkRef(btf.typeRef(id, i), id)] = 1;
    }
  }

  private enter(id: number): void {
    if (++this.depth > MAX_DEPTH) {
      throw new BtfError(`type graph nests deeper than ${MAX_DEPTH} levels (a reference cycle?)`, { typeId: id });
    }
  }

  /**
   * Topological ordering. Returns true for a strong link (the type must be
   * fully defined before its user), false for a weak one (a forward
   * declaration suffices because a pointer to a named type is in between).
   */
  private order(id: number, throughPtr: boolean): boolean {
    const btf = this.btf;
    const state = this.orderState[id];
    if (state === ORDERED) return true;
    const kind = btf.kindNumber(id);
    const named = btf.nameOff(id) !== 0;
    if (state === ORDERING) {
      if (isCompositeKind(kind) && throughPtr && named) return false;
      throw new BtfError("unsatisfiable type cycle", { typeId: id });
    }
    this.enter(id);
    try {
      switch (kind) {
        case BTF_KIND_INT:
        case BTF_KIND_FLOAT:
          this.orderState[id] = ORDERED;
          return false;
        case BTF_KIND_PTR: {
          const r = this.order(this.checkRef(btf.sizeOrType(id), id), true);
          this.orderState[id] = ORDERED;
          return r;
        }
        case BTF_KIND_ARRAY:
          return this.order(this.checkRef(btf.arrayElemType(id), id), false);
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
          // Only an embedded or anonymous struct forms a strong link.
          if (throughPtr && named) return false;
          this.orderState[id] = ORDERING;
          const vlen = btf.vlen(id);
          for (let i = 0; i < vlen; i++) this.order(this.checkRef(btf.memberType(id, i), id), false);
          if (named) this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        }
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
        case BTF_KIND_FWD:
          if (named || !this.referenced[id]) this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        case BTF_KIND_TYPEDEF: {
          const strong = this.order(this.checkRef(btf.sizeOrType(id), id), throughPtr);
          if (throughPtr && !strong) return false;
          this.queue.push(id);
          this.orderState[id] = ORDERED;
          return true;
        }
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
          return this.order(this.checkRef(btf.sizeOrType(id), id), throughPtr);
        case BTF_KIND_FUNC_PROTO: {
          // The return type, then each parameter; strong if any of them is.
          let strong = false;
          const n = btf.typeRefCount(id);
          for (let i = 0; i < n; i++) {
            if (this.order(this.checkRef(btf.typeRef(id, i), id), throughPtr)) strong = true;
          }
          return strong;
        }
        case BTF_KIND_FUNC:
        case BTF_KIND_VAR:
        case BTF_KIND_DATASEC:
        case BTF_KIND_DECL_TAG:
          this.orderState[id] = ORDERED;
          return false;
        default:
          throw new BtfError(`cannot order BTF kind ${kind}`, { typeId: id });
      }
    } finally {
      this.depth--;
    }
  }

  /** A typedef named __builtin_va_list would clash with the compiler's own. */
  private isBlacklisted(id: number): boolean {
    return this.btf.strEquals(this.btf.nameOff(id), BUILTIN_VA_LIST);
  }

  /** Emits a type's definition (cont = the struct being defined around it, 0 at top level). */
  private emit(id: number, cont: number): void {
    const state = this.emitState[id];
    if (state === EMITTED) return;
    const btf = this.btf;
    const out = this.out;
    const kind = btf.kindNumber(id);
    if (state === EMITTING) {
      if (this.fwdEmitted[id]) return;
      if (isCompositeKind(kind)) {
        // Referencing the struct we are inside needs no forward declaration.
        if (id === cont) return;
        if (btf.nameOff(id) === 0) return; // anonymous struct/union loop: nothing sensible to print
        this.emitStructFwd(id);
        out.text(";\n\n");
        this.fwdEmitted[id] = 1;
      } else if (kind === BTF_KIND_TYPEDEF) {
        if (!this.isBlacklisted(id)) {
          this.emitTypedefDef(id, 0);
          out.text(";\n\n");
        }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    this.enter(id);
    try {
      switch (kind) {
        case BTF_KIND_INT: {
          // libbpf resolves the INT's name in the tag namespace here, which counts it.
          const alias = this.typeSuffix(id) === 1 ? MISSING_BASE_TYPES[btf.name(id)] : undefined;
          if (alias !== undefined) out.text(`typedef ${alias} ${btf.name(id)};\n\n`);
          this.emitState[id] = EMITTED;
          break;
        }
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
          if (cont === 0) {
            this.emitEnumDef(id, 0);
            out.text(";\n\n");
          }
          this.emitState[id] = EMITTED;
          break;
        case BTF_KIND_PTR:
        case BTF_KIND_VOLATILE:
        case BTF_KIND_CONST:
        case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
          this.emit(btf.sizeOrType(id), cont);
          break;
        case BTF_KIND_ARRAY:
          this.emit(btf.arrayElemType(id), cont);
          break;
        case BTF_KIND_FWD:
          this.emitFwdDef(id);
          out.text(";\n\n");
          this.emitState[id] = EMITTED;
          break;
        case BTF_KIND_TYPEDEF:
          this.emitState[id] = EMITTING;
          this.emit(btf.sizeOrType(id), id);
          // Someone may have needed it as a forward declaration already.
          if (!this.fwdEmitted[id] && !this.isBlacklisted(id)) {
            this.emitTypedefDef(id, 0);
            out.text(";\n\n");
          }
          this.emitState[id] = EMITTED;
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION: {
          this.emitState[id] = EMITTING;
          const named = btf.nameOff(id) !== 0;
          if (cont === 0 || !named) {
            const inner = named ? id : cont;
            const vlen = btf.vlen(id);
            for (let i = 0; i < vlen; i++) this.emit(btf.memberType(id, i), inner);
          } else if (!this.fwdEmitted[id] && id !== cont) {
            this.emitStructFwd(id);
            out.text(";\n\n");
            this.fwdEmitted[id] = 1;
          }
          if (cont === 0) {
            this.emitStructDef(id, 0);
            out.text(";\n\n");
            this.emitState[id] = EMITTED;
          } else {
            this.emitState[id] = NOT_EMITTED;
          }
          break;
        }
        case BTF_KIND_FUNC_PROTO: {
          // The return type, then each parameter.
          const n = btf.typeRefCount(id);
          for (let i = 0; i < n; i++) this.emit(btf.typeRef(id, i), cont);
          break;
        }
        default:
          break;
      }
    } finally {
      this.depth--;
    }
  }

  // --- names -----------------------------------------------------------------

  /** Resolves a type's name in a namespace on first use; returns its holder count (1 = bare). */
  private resolveName(id: number, names: NameCounter): number {
    const done = this.nameSuffix[id];
    if (done) return done;
    const btf = this.btf;
    const kind = btf.kindNumber(id);
    const off = btf.nameOff(id);
    // Anonymous types and forward declarations keep their name and do not claim it.
    const n =
      off === 0 || kind === BTF_KIND_FWD || (kind === BTF_KIND_ENUM && btf.vlen(id) === 0) ? 1 : names.bump(off);
    this.nameSuffix[id] = n;
    return n;
  }

  /** Holder count in the struct/union/enum tag namespace. */
  private typeSuffix(id: number): number {
    return this.resolveName(id, this.typeNames);
  }

  /** Holder count in the ordinary identifier namespace (typedefs, shared with enumerators). */
  private identSuffix(id: number): number {
    return this.resolveName(id, this.identNames);
  }

  /** Writes the name at string offset `off`, plus `___n` when it is the n-th holder. */
  private writeName(off: number, suffix: number): void {
    this.btf.writeStr(off, this.out);
    if (suffix > 1) {
      this.out.text("___");
      this.out.uint(suffix);
    }
  }

  private isEmptyName(off: number): boolean {
    const src = this.btf.strSource(off);
    return !src || src[this.btf.strPos(off)] === 0;
  }

  // --- definitions -------------------------------------------------------------

  private emitStructFwd(id: number): void {
    const btf = this.btf;
    const off = btf.nameOff(id);
    this.out.text(btf.kindNumber(id) === BTF_KIND_STRUCT ? "struct" : "union");
    if (off !== 0) this.out.byte(0x20);
    this.writeName(off, this.typeSuffix(id));
  }

  private emitFwdDef(id: number): void {
    this.out.text(this.btf.kflag(id) ? "union " : "struct ");
    this.writeName(this.btf.nameOff(id), this.typeSuffix(id));
  }

  private emitTypedefDef(id: number, lvl: number): void {
    const btf = this.btf;
    const suffix = this.identSuffix(id);
    const target = btf.sizeOrType(id);
    // Old GCC emits __gnuc_va_list as a typedef of void; make it compile.
    if (target === 0 && suffix === 1 && btf.strEquals(btf.nameOff(id), GNUC_VA_LIST)) {
      this.out.text("typedef __builtin_va_list __gnuc_va_list");
      return;
    }
    this.out.text("typedef ");
    this.emitTypeDecl(target, btf.nameOff(id), suffix, lvl);
  }

  /** libbpf's packed heuristic: misaligned non-bitfield members or a size off the alignment. */
  private isPacked(id: number): boolean {
    const btf = this.btf;
    const vlen = btf.vlen(id);
    let maxAlign = 1;
    for (let i = 0; i < vlen; i++) {
      const align = btf.alignof(btf.memberType(id, i));
      if (align && btf.memberBitfieldSize(id, i) === 0 && btf.memberBitOffset(id, i) % (8 * align) !== 0) return true;
      maxAlign = Math.max(align, maxAlign);
    }
    return btf.sizeOrType(id) % maxAlign !== 0;
  }

  private sizeOrZero(id: number): number {
    try {
      return this.btf.sizeof(id);
    } catch (e) {
      if (e instanceof BtfError) return 0;
      throw e;
    }
  }

  private emitStructDef(id: number, lvl: number): void {
    const btf = this.btf;
    const out = this.out;
    const isStruct = btf.kindNumber(id) === BTF_KIND_STRUCT;
    const vlen = btf.vlen(id);
    const size = btf.sizeOrType(id);
    const align = btf.alignof(id);
    const packed = isStruct && this.isPacked(id);
    const ptrSize = btf.pointerSize;
    this.emitStructFwd(id);
    out.text(" {");
    let off = 0;
    let prevBitfield = false;
    for (let i = 0; i < vlen; i++) {
      const mType = btf.memberType(id, i);
      const mSize = btf.memberBitfieldSize(id, i);
      const mOff = btf.memberBitOffset(id, i);
      const mAlign = packed ? 1 : btf.alignof(mType);
      emitBitPadding(out, ptrSize, off, mOff, mAlign, prevBitfield && mSize !== 0, lvl + 1);
      out.byte(0x0a);
      indent(out, lvl + 1);
      this.emitTypeDecl(mType, btf.memberNameOff(id, i), 1, lvl + 1);
      if (mSize) {
        out.text(": ");
        out.uint(mSize);
        off = mOff + mSize;
        prevBitfield = true;
      } else {
        off = mOff + this.sizeOrZero(mType) * 8;
        prevBitfield = false;
      }
      out.byte(0x3b);
    }
    if (isStruct) emitBitPadding(out, ptrSize, off, size * 8, align, false, lvl + 1);
    if (vlen || size) {
      out.byte(0x0a);
      indent(out, lvl);
    }
    out.byte(0x7d);
    if (packed) out.text(" __attribute__((packed))");
  }

  private emitEnumDef(id: number, lvl: number): void {
    const btf = this.btf;
    const out = this.out;
    const vlen = btf.vlen(id);
    out.text("enum");
    const off = btf.nameOff(id);
    if (off !== 0) out.byte(0x20);
    this.writeName(off, this.typeSuffix(id));
    if (!vlen) return;
    out.text(" {");
    const is64 = btf.kindNumber(id) === BTF_KIND_ENUM64;
    const signed = btf.kflag(id);
    let allHighZero = true;
    for (let i = 0; i < vlen; i++) {
      const nameOff = btf.enumValueNameOff(id, i);
      out.byte(0x0a);
      indent(out, lvl + 1);
      // Enumerators share the identifier namespace with typedefs.
      this.writeName(nameOff, this.identNames.bump(nameOff));
      out.text(" = ");
      if (is64) {
        const v = btf.enum64Value(id, i);
        if (BigInt.asUintN(64, v) >> 32n !== 0n) allHighZero = false;
        out.text(String(v));
        out.text(signed ? "LL," : "ULL,");
      } else {
        out.int(btf.enumValue(id, i));
        out.byte(0x2c);
      }
    }
    out.byte(0x0a);
    indent(out, lvl);
    out.byte(0x7d);
    if (!this.opts.enumModeAttributes) return;
    const size = btf.sizeOrType(id);
    if (size === 1) out.text(" __attribute__((mode(byte)))");
    else if (size === 8 && btf.pointerSize === 8 && (!is64 || allHighZero)) out.text(" __attribute__((mode(word)))");
  }

  // --- declarators ---------------------------------------------------------------

  /**
   * A declaration of the function `funcId` (a FUNC) from its prototype, with
   * the names this dump gave its types (btf_dump__emit_type_decl).
   */
  emitFuncDecl(funcId: number): void {
    if (this.btf.kindNumber(funcId) !== BTF_KIND_FUNC) throw new BtfError("not a FUNC", { typeId: funcId });
    this.emitTypeDecl(this.checkRef(this.btf.sizeOrType(funcId), funcId), this.btf.nameOff(funcId), 1, 0);
  }

  /**
   * A declaration of a name with type `id` in C syntax (btf_dump_emit_type_decl).
   * The name is given as a string offset and holder count, so it is copied, not decoded.
   */
  private emitTypeDecl(id: number, fnameOff: number, fnameSuffix: number, lvl: number): void {
    const btf = this.btf;
    const stack: number[] = [];
    for (;;) {
      stack.push(id);
      if (id === 0) break;
      if (stack.length > MAX_DEPTH) {
        throw new BtfError(`declarator chain longer than ${MAX_DEPTH} types (a reference cycle?)`, { typeId: id });
      }
      const kind = btf.kindNumber(id);
      if (kind === BTF_KIND_PTR || kind === BTF_KIND_FUNC_PROTO || isModifierKind(kind)) {
        id = this.checkRef(btf.sizeOrType(id), id);
      } else if (kind === BTF_KIND_ARRAY) {
        id = this.checkRef(btf.arrayElemType(id), id);
      } else {
        break;
      }
    }
    this.enter(id);
    try {
      this.emitTypeChain(stack, fnameOff, fnameSuffix, lvl);
    } finally {
      this.depth--;
    }
  }

  /** Pops const/volatile/restrict sitting right above the base type and prints them as prefixes. */
  private emitMods(stack: number[]): void {
    const btf = this.btf;
    while (stack.length) {
      const k = btf.kindNumber(stack[stack.length - 1]);
      if (k === BTF_KIND_VOLATILE) this.out.text("volatile ");
      else if (k === BTF_KIND_CONST) this.out.text("const ");
      else if (k === BTF_KIND_RESTRICT) this.out.text("restrict ");
      else return;
      stack.pop();
    }
  }

  /** Drops modifiers above an array or prototype; C cannot express them there. */
  private dropMods(stack: number[]): void {
    while (stack.length && isModifierKind(this.btf.kindNumber(stack[stack.length - 1]))) stack.pop();
  }

  private emitName(fnameOff: number, fnameSuffix: number, lastWasPtr: boolean): void {
    if (this.isEmptyName(fnameOff)) return;
    if (!lastWasPtr) this.out.byte(0x20);
    this.writeName(fnameOff, fnameSuffix);
  }

  private emitTypeChain(stack: number[], fnameOff: number, fnameSuffix: number, lvl: number): void {
    const btf = this.btf;
    const out = this.out;
    let lastWasPtr = true;
    while (stack.length) {
      const id = stack.pop()!;
      if (id === 0) {
        this.emitMods(stack);
        out.text("void");
        lastWasPtr = false;
        continue;
      }
      const kind = btf.kindNumber(id);
      switch (kind) {
        case BTF_KIND_INT:
        case BTF_KIND_FLOAT:
          this.emitMods(stack);
          btf.writeStr(btf.nameOff(id), out);
          break;
        case BTF_KIND_STRUCT:
        case BTF_KIND_UNION:
          this.emitMods(stack);
          if (btf.nameOff(id) === 0) this.emitStructDef(id, lvl);
          else this.emitStructFwd(id);
          break;
        case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64:
          this.emitMods(stack);
          if (btf.nameOff(id) === 0) this.emitEnumDef(id, lvl);
          else {
            out.text("enum ");
            this.writeName(btf.nameOff(id), this.typeSuffix(id));
          }
          break;
        case BTF_KIND_FWD:
          this.emitMods(stack);
          this.emitFwdDef(id);
          break;
        case BTF_KIND_TYPEDEF:
          this.emitMods(stack);
          this.writeName(btf.nameOff(id), this.identSuffix(id));
          break;
        case BTF_KIND_PTR:
          out.text(lastWasPtr ? "*" : " *");
          break;
        case BTF_KIND_VOLATILE:
          out.text(" volatile");
          break;
        case BTF_KIND_CONST:
          out.text(" const");
          break;
        case BTF_KIND_RESTRICT:
          out.text(" restrict");
          break;
        case BTF_KIND_TYPE_TAG:
          this.emitMods(stack);
          if (this.opts.typeTagAttributes && btf.kflag(id)) {
            out.text(" __attribute__((");
            btf.writeStr(btf.nameOff(id), out);
            out.text("))");
          } else {
            out.text(' __attribute__((btf_type_tag("');
            btf.writeStr(btf.nameOff(id), out);
            out.text('")))');
          }
          break;
        case BTF_KIND_ARRAY: {
          const nelems = btf.arrayLength(id);
          this.dropMods(stack);
          if (stack.length === 0) {
            this.emitName(fnameOff, fnameSuffix, lastWasPtr);
            out.byte(0x5b);
            out.uint(nelems);
            out.byte(0x5d);
            return;
          }
          const multidim = btf.kindNumber(stack[stack.length - 1]) === BTF_KIND_ARRAY;
          if (!this.isEmptyName(fnameOff) && !lastWasPtr) out.byte(0x20);
          if (!multidim) out.byte(0x28);
          this.emitTypeChain(stack, fnameOff, fnameSuffix, lvl);
          if (!multidim) out.byte(0x29);
          out.byte(0x5b);
          out.uint(nelems);
          out.byte(0x5d);
          return;
        }
        case BTF_KIND_FUNC_PROTO: {
          this.dropMods(stack);
          if (stack.length) {
            out.text(" (");
            this.emitTypeChain(stack, fnameOff, fnameSuffix, lvl);
            out.byte(0x29);
          } else {
            this.emitName(fnameOff, fnameSuffix, lastWasPtr);
          }
          out.byte(0x28);
          const vlen = btf.vlen(id);
          // clang encodes `f(void)` as a single void parameter.
          if (vlen === 0 || (vlen === 1 && btf.paramType(id, 0) === 0)) {
            out.text(this.opts.voidParams ? "void)" : ")");
            return;
          }
          for (let i = 0; i < vlen; i++) {
            if (i > 0) out.text(", ");
            const pType = btf.paramType(id, i);
            if (i === vlen - 1 && pType === 0) {
              out.text("...");
              break;
            }
            this.emitTypeDecl(pType, btf.paramNameOff(id, i), 1, lvl);
          }
          out.byte(0x29);
          return;
        }
        default:
          throw new BtfError(`unexpected kind ${kind} in a declarator`, { typeId: id });
      }
      lastWasPtr = kind === BTF_KIND_PTR;
    }
    this.emitName(fnameOff, fnameSuffix, lastWasPtr);
  }
}
