/**
 * bpftool's raw listing (`bpftool btf dump file X`) parsed back into types,
 * and the member paths `btf diff` reports computed from it alone: the
 * independent side of diff's checks (test/btf/diff.test.ts, scripts/diff-sweep.ts).
 */

export interface RawType {
  kind: string;
  name: string;
  size: number;
  typeId: number;
  members: Array<{ name: string; typeId: number; bitOffset: number; bitfield: number }>;
}

/** A raw listing parsed into what member paths need. */
export function parseRaw(text: string): Map<number, RawType> {
  const types = new Map<number, RawType>();
  let cur: RawType | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("\t")) {
      const m = /^\t'(.*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?$/.exec(line);
      if (m && cur) cur.members.push({ name: m[1], typeId: Number(m[2]), bitOffset: Number(m[3]), bitfield: Number(m[4] ?? 0) });
      continue;
    }
    const m = /^\[(\d+)\] (\w+) '(.*?)'(.*)$/.exec(line);
    if (!m) continue;
    const size = /\bsize=(\d+)/.exec(m[4]);
    const typeId = /\btype_id=(\d+)/.exec(m[4]);
    cur = { kind: m[2], name: m[3], size: Number(size?.[1] ?? 0), typeId: Number(typeId?.[1] ?? 0), members: [] };
    types.set(Number(m[1]), cur);
  }
  return types;
}

const MODIFIERS = new Set(["CONST", "VOLATILE", "RESTRICT", "TYPE_TAG"]);

/**
 * Member paths and bit offsets of a struct by the rule diff documents: fields
 * of anonymous members belong to their parent, fields of a named member of
 * anonymous struct/union type are `member.field`, a repeated path gets `#2`, `#3`.
 */
export function rawPaths(types: Map<number, RawType>, id: number): Map<string, number> {
  const out = new Map<string, number>();
  const skip = (t: number, typedefs: boolean) => {
    for (;;) {
      const r = types.get(t);
      if (!r || !(MODIFIERS.has(r.kind) || (typedefs && r.kind === "TYPEDEF"))) return t;
      t = r.typeId;
    }
  };
  const walk = (id: number, prefix: string, base: number) => {
    for (const m of types.get(id)!.members) {
      const off = base + m.bitOffset;
      if (m.name === "(anon)") {
        const t = types.get(skip(m.typeId, true));
        if (!m.bitfield && (t?.kind === "STRUCT" || t?.kind === "UNION")) walk(skip(m.typeId, true), prefix, off);
        continue;
      }
      let path = prefix + m.name;
      for (let k = 2; out.has(path); k++) path = `${prefix}${m.name}#${k}`;
      out.set(path, off);
      const t = types.get(skip(m.typeId, false));
      if (!m.bitfield && (t?.kind === "STRUCT" || t?.kind === "UNION") && t.name === "(anon)") walk(skip(m.typeId, false), `${path}.`, off);
    }
  };
  walk(id, "", 0);
  return out;
}
