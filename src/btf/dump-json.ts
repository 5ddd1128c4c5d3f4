/**
 * `bpftool -j btf dump file X` (and `-p`), identical to bpftool 7.1's output.
 * Unsigned ENUM values go through a signed 32-bit int on their way to a u64
 * in bpftool, so values >= 2^31 print sign-extended (4294967295 shows as
 * 18446744073709551615); we reproduce that.
 */
import type { Btf } from "./btf.js";
import { forEachDumpId, intEncodingName, linkageName, type DumpOptions } from "./dump-raw.js";
import { JsonWriter } from "./json-writer.js";
import { collectDump, streamDump, type ByteSink } from "./sink.js";
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

/** Options of {@link dumpJson}. */
export interface JsonDumpOptions extends DumpOptions {
  pretty?: boolean;
}

/** A `"name"` field as bpftool's btf_str() gives it, copied from the string section undecoded. */
function nameField(w: JsonWriter, btf: Btf, key: string, off: number): void {
  w.name(key);
  const src = off === 0 ? undefined : btf.strSource(off);
  if (src) w.stringAt(src, btf.strPos(off));
  else w.string(off === 0 ? "(anon)" : "(invalid)");
}

function writeType(w: JsonWriter, btf: Btf, id: number): void {
  const info = btf.info(id);
  const kind = infoKind(info);
  const vlen = infoVlen(info);
  const kflag = infoKflag(info);
  w.startObject();
  w.numberField("id", id);
  w.stringField("kind", kindName(kind));
  nameField(w, btf, "name", btf.nameOff(id));
  switch (kind) {
    case BTF_KIND_INT:
      w.numberField("size", btf.sizeOrType(id));
      w.numberField("bits_offset", btf.intBitOffset(id));
      w.numberField("nr_bits", btf.intBits(id));
      w.stringField("encoding", intEncodingName(btf.intEncoding(id)));
      break;
    case BTF_KIND_PTR:
    case BTF_KIND_CONST:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_TYPE_TAG:
      w.numberField("type_id", btf.sizeOrType(id));
      break;
    case BTF_KIND_ARRAY:
      w.numberField("type_id", btf.arrayElemType(id));
      w.numberField("index_type_id", btf.arrayIndexType(id));
      w.numberField("nr_elems", btf.arrayLength(id));
      break;
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      w.numberField("size", btf.sizeOrType(id));
      w.numberField("vlen", vlen);
      w.name("members");
      w.startArray();
      for (let i = 0; i < vlen; i++) {
        const bitSz = btf.memberBitfieldSize(id, i);
        w.startObject();
        nameField(w, btf, "name", btf.memberNameOff(id, i));
        w.numberField("type_id", btf.memberType(id, i));
        w.numberField("bits_offset", btf.memberBitOffset(id, i));
        if (bitSz) w.numberField("bitfield_size", bitSz);
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_ENUM:
    case BTF_KIND_ENUM64: {
      const is64 = kind === BTF_KIND_ENUM64;
      w.stringField("encoding", kflag ? "SIGNED" : "UNSIGNED");
      w.numberField("size", btf.sizeOrType(id));
      w.numberField("vlen", vlen);
      w.name("values");
      w.startArray();
      for (let i = 0; i < vlen; i++) {
        w.startObject();
        nameField(w, btf, "name", btf.enumValueNameOff(id, i));
        let val: number | bigint;
        if (is64) val = btf.enum64Value(id, i);
        else {
          const v = btf.enumValue(id, i);
          val = kflag ? v : BigInt.asUintN(64, BigInt(v | 0));
        }
        w.numberField("val", val);
        w.endObject();
      }
      w.endArray();
      break;
    }
    case BTF_KIND_FWD:
      w.stringField("fwd_kind", kflag ? "union" : "struct");
      break;
    case BTF_KIND_FUNC:
      w.numberField("type_id", btf.sizeOrType(id));
      w.stringField("linkage", linkageName(btf.linkage(id)));
      break;
    case BTF_KIND_FUNC_PROTO:
      w.numberField("ret_type_id", btf.sizeOrType(id));
      w.numberField("vlen", vlen);
      w.name("params");
      w.startArray();
      for (let i = 0; i < vlen; i++) {
        w.startObject();
        nameField(w, btf, "name", btf.paramNameOff(id, i));
        w.numberField("type_id", btf.paramType(id, i));
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_VAR:
      w.numberField("type_id", btf.sizeOrType(id));
      w.stringField("linkage", linkageName(btf.linkage(id)));
      break;
    case BTF_KIND_DATASEC:
      w.numberField("size", btf.sizeOrType(id));
      w.numberField("vlen", vlen);
      w.name("vars");
      w.startArray();
      for (let i = 0; i < vlen; i++) {
        w.startObject();
        w.numberField("type_id", btf.datasecVarType(id, i));
        w.numberField("offset", btf.datasecVarOffset(id, i));
        w.numberField("size", btf.datasecVarSize(id, i));
        w.endObject();
      }
      w.endArray();
      break;
    case BTF_KIND_FLOAT:
      w.numberField("size", btf.sizeOrType(id));
      break;
    case BTF_KIND_DECL_TAG:
      w.numberField("type_id", btf.sizeOrType(id));
      w.numberField("component_idx", btf.declTagComponent(id));
      break;
    default:
      break;
  }
  w.endObject();
}

function writeJson(btf: Btf, opts: JsonDumpOptions, out: ByteSink): void {
  const w = new JsonWriter(out, opts.pretty ?? false);
  w.startObject();
  w.name("types");
  w.startArray();
  forEachDumpId(btf, opts.ids, (id) => writeType(w, btf, id));
  w.endArray();
  w.endObject();
  w.finish();
}

/** The `-j` / `-p` listing as UTF-8 bytes: names are copied from the string section undecoded, as bpftool writes them. */
export function dumpJsonBytes(btf: Btf, opts: JsonDumpOptions = {}): Uint8Array {
  // About what a pointer or a small struct takes, so most dumps never regrow.
  return collectDump(btf, btf.ownCount * (opts.pretty ? 112 : 56), (out) => writeJson(btf, opts, out));
}

/**
 * The bytes of {@link dumpJsonBytes}, handed to `write` in chunks as they are
 * produced (see {@link streamDump}).
 */
export function dumpJsonChunks(btf: Btf, opts: JsonDumpOptions, write: (chunk: Uint8Array) => void): void {
  streamDump(btf, write, (out) => writeJson(btf, opts, out));
}

/** bpftool's `-j` / `-p` listing (`btf dump ... -j`), quirks included. */
export function dumpJson(btf: Btf, opts: JsonDumpOptions = {}): string {
  return new TextDecoder().decode(dumpJsonBytes(btf, opts));
}
