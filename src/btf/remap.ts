/** Rewriting the type ids a decoded type refers to (for merging and renumbering). */
import type { BtfType } from "./types.js";

/** A copy of `t` with every referenced type id passed through `f`. */
export function remapTypeIds(t: BtfType, f: (id: number) => number): BtfType {
  switch (t.kind) {
    case "ptr":
    case "typedef":
    case "volatile":
    case "const":
    case "restrict":
    case "type_tag":
    case "func":
    case "var":
    case "decl_tag":
      return { ...t, type: f(t.type) };
    case "array":
      return { ...t, type: f(t.type), indexType: f(t.indexType) };
    case "struct":
    case "union":
      return { ...t, members: t.members.map((m) => ({ ...m, type: f(m.type) })) };
    case "func_proto":
      return { ...t, returnType: f(t.returnType), params: t.params.map((p) => ({ ...p, type: f(p.type) })) };
    case "datasec":
      return { ...t, vars: t.vars.map((v) => ({ ...v, type: f(v.type) })) };
    default:
      return t;
  }
}
