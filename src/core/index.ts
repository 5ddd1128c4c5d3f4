export * from "./candidates.js";
export * from "./compat.js";
export * from "./object.js";
export * from "./patch.js";
export * from "./relocate.js";
export { essentialName, essentialNameLength, formatSpec, parseLocalSpec, typeLabel } from "./spec.js";
export type { Accessor, Spec } from "./spec.js";
export type * from "./types.js";
export * from "./explain.js";
