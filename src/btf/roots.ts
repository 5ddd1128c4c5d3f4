/**
 * Picking root types for a filtered header: by id, by exact name, or by a
 * shell-style glob (`*`, `?`), among the kinds that have a C declaration.
 */
import { BtfError } from "../errors.js";
import type { Btf } from "./btf.js";
import {
  BTF_KIND_ENUM,
  BTF_KIND_ENUM64,
  BTF_KIND_FWD,
  BTF_KIND_STRUCT,
  BTF_KIND_TYPEDEF,
  BTF_KIND_UNION,
} from "./kinds.js";

const DECLARABLE = new Set([BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_ENUM, BTF_KIND_ENUM64, BTF_KIND_TYPEDEF, BTF_KIND_FWD]);

/** A shell-style glob (`*`, `?`) as an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Ids for each spec (a number, a name or a glob), in spec order, each id once. */
export function resolveRoots(btf: Btf, specs: readonly string[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const push = (id: number) => {
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  };
  for (const spec of specs) {
    if (/^\d+$/.test(spec)) {
      const id = Number(spec);
      if (!btf.hasType(id) || id === 0) throw new BtfError(`root type id ${spec} is out of range (1..${btf.count - 1})`);
      push(id);
      continue;
    }
    let found = 0;
    if (/[*?]/.test(spec)) {
      const re = globToRegExp(spec);
      for (let id = 1; id < btf.count; id++) {
        if (btf.nameOff(id) !== 0 && DECLARABLE.has(btf.kindNumber(id)) && re.test(btf.name(id))) {
          push(id);
          found++;
        }
      }
    } else {
      for (const id of btf.idsByName(spec)) {
        if (DECLARABLE.has(btf.kindNumber(id))) {
          push(id);
          found++;
        }
      }
    }
    if (!found) throw new BtfError(`no struct, union, enum or typedef matches '${spec}'`);
  }
  return out;
}
