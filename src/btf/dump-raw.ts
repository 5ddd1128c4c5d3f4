/**
 * `bpftool btf dump file X` raw text, byte for byte as bpftool 7.1 prints it
 * (src/btf.c dump_btf_type), including its quirks: the comma in VAR lines and
 * `(anon)`/`(invalid)` for empty or unresolvable names. Output is written as
 * bytes: names are copied from the string section without being decoded.
 */
import type { Btf } from "./btf.js";
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
  infoKflag,
  infoKind,
  infoVlen,
  kindName,
} from "./kinds.js";
import { collectDump, streamDump, type ByteSink } from "./sink.js";

/** bpftool's btf_str(): "(anon)" for offset 0, "(invalid)" when unresolvable. */
export function displayName(btf: Btf, off: number): string {
  if (off === 0) return "(anon)";
  return btf.str(off) ?? "(invalid)";
}

export function intEncodingName(enc: number): string {
  switch (enc) {
    case 0:
      return "(none)";
    case 1:
      return "SIGNED";
    case 2:
      return "CHAR";
    case 4:
      return "BOOL";
    default:
      return "UNKN";
  }
}

export function linkageName(linkage: number): string {
  return linkage === 0 ? "static" : linkage === 1 ? "global" : linkage === 2 ? "extern" : "(unknown)";
}

/**
 * Calls `f` with each id a dump covers: the requested ones, else this blob's
 * own ids (not the base's). An index loop, not an iterator: a dump runs once
 * per process, mostly before V8 has optimized it, where a generator's
 * protocol costs more than the loop's body.
 */
export function forEachDumpId(btf: Btf, ids: readonly number[] | undefined, f: (id: number) => void): void {
  if (ids) for (const id of ids) f(id);
  else for (let id = btf.startId, end = btf.count; id < end; id++) f(id);
}

/** Options shared by the raw and JSON dumps. */
export interface DumpOptions {
  /** Dump only these ids, in this order (bpftool's `root_id`). */
  ids?: readonly number[];
}

function quotedName(btf: Btf, off: number, out: ByteSink): void {
  out.byte(0x27);
  if (off === 0) out.text("(anon)");
  else if (!btf.writeStr(off, out)) out.text("(invalid)");
  out.byte(0x27);
}

/** Appends one type's raw-dump entry, newline included. */
export function writeRawType(btf: Btf, id: number, out: ByteSink): void {
  const info = btf.info(id);
  const kind = infoKind(info);
  const vlen = infoVlen(info);
  const kflag = infoKflag(info);
  out.byte(0x5b);
  out.uint(id);
  out.text("] ");
  out.text(kindName(kind));
  out.byte(0x20);
  quotedName(btf, btf.nameOff(id), out);
  switch (kind) {
    case BTF_KIND_INT:
      out.text(" size=");
      out.uint(btf.sizeOrType(id));
      out.text(" bits_offset=");
      out.uint(btf.intBitOffset(id));
      out.text(" nr_bits=");
      out.uint(btf.intBits(id));
      out.text(" encoding=");
      out.text(intEncodingName(btf.intEncoding(id)));
      break;
    case BTF_KIND_PTR:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_TYPE_TAG:
      out.text(" type_id=");
      out.uint(btf.sizeOrType(id));
      break;
    case BTF_KIND_ARRAY:
      out.text(" type_id=");
      out.uint(btf.arrayElemType(id));
      out.text(" index_type_id=");
      out.uint(btf.arrayIndexType(id));
      out.text(" nr_elems=");
      out.uint(btf.arrayLength(id));
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      out.text(" size=");
      out.uint(btf.sizeOrType(id));
      out.text(" vlen=");
      out.uint(vlen);
      for (let i = 0; i < vlen; i++) {
        out.text("\n\t");
        quotedName(btf, btf.memberNameOff(id, i), out);
        out.text(" type_id=");
        out.uint(btf.memberType(id, i));
        out.text(" bits_offset=");
        out.uint(btf.memberBitOffset(id, i));
        const bitSz = btf.memberBitfieldSize(id, i);
        if (bitSz) {
          out.text(" bitfield_size=");
          out.uint(bitSz);
        }
      }
      break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
      const is64 = kind === BTF_KIND_ENUM64;
      out.text(kflag ? " encoding=SIGNED size=" : " encoding=UNSIGNED size=");
      out.uint(btf.sizeOrType(id));
      out.text(" vlen=");
      out.uint(vlen);
      for (let i = 0; i < vlen; i++) {
        out.text("\n\t");
        quotedName(btf, btf.enumValueNameOff(id, i), out);
        out.text(" val=");
        if (is64) {
          out.text(String(btf.enum64Value(id, i)));
          out.text(kflag ? "LL" : "ULL");
        } else {
          out.int(btf.enumValue(id, i));
        }
      }
      break;
    }
    case BTF_KIND_FWD:
      out.text(kflag ? " fwd_kind=union" : " fwd_kind=struct");
      break;
    case BTF_KIND_FUNC:
      out.text(" type_id=");
      out.uint(btf.sizeOrType(id));
      out.text(" linkage=");
      out.text(linkageName(btf.linkage(id)));
      break;
    case BTF_KIND_FUNC_PROTO:
      out.text(" ret_type_id=");
      out.uint(btf.sizeOrType(id));
      out.text(" vlen=");
      out.uint(vlen);
      for (let i = 0; i < vlen; i++) {
        out.text("\n\t");
        quotedName(btf, btf.paramNameOff(id, i), out);
        out.text(" type_id=");
        out.uint(btf.paramType(id, i));
      }
      break;
    case BTF_KIND_VAR:
      out.text(" type_id=");
      out.uint(btf.sizeOrType(id));
      out.text(", linkage=");
      out.text(linkageName(btf.linkage(id)));
      break;
    case BTF_KIND_DATASEC:
      out.text(" size=");
      out.uint(btf.sizeOrType(id));
      out.text(" vlen=");
      out.uint(vlen);
      for (let i = 0; i < vlen; i++) {
        const t = btf.datasecVarType(id, i);
        out.text("\n\ttype_id=");
        out.uint(t);
        out.text(" offset=");
        out.uint(btf.datasecVarOffset(id, i));
        out.text(" size=");
        out.uint(btf.datasecVarSize(id, i));
        if (t < btf.count) {
          out.text(" (");
          out.text(kindName(btf.kindNumber(t)));
          out.byte(0x20);
          quotedName(btf, btf.nameOff(t), out);
          out.byte(0x29);
        }
      }
      break;
    case BTF_KIND_FLOAT:
      out.text(" size=");
      out.uint(btf.sizeOrType(id));
      break;
    case BTF_KIND_DECL_TAG:
      out.text(" type_id=");
      out.uint(btf.sizeOrType(id));
      out.text(" component_idx=");
      out.int(btf.declTagComponent(id));
      break;
    default:
      break;
  }
  out.byte(0x0a);
}

function writeRaw(btf: Btf, opts: DumpOptions, out: ByteSink): void {
  forEachDumpId(btf, opts.ids, (id) => writeRawType(btf, id, out));
}

/** The whole raw dump as bytes, one entry per type. */
export function dumpRawBytes(btf: Btf, opts: DumpOptions = {}): Uint8Array {
  return collectDump(btf, btf.ownCount * 96, (out) => writeRaw(btf, opts, out));
}

/** The bytes of {@link dumpRawBytes}, handed to `write` in chunks as they are produced (see streamDump). */
export function dumpRawChunks(btf: Btf, opts: DumpOptions, write: (chunk: Uint8Array) => void): void {
  streamDump(btf, write, (out) => writeRaw(btf, opts, out));
}

/** The whole raw dump as text. */
export function dumpRaw(btf: Btf, opts: DumpOptions = {}): string {
  return new TextDecoder().decode(dumpRawBytes(btf, opts));
}
