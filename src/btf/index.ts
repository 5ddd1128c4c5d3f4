export * from "./btf.js";
export * from "./builder.js";
export * from "./dump-json.js";
export * from "./dump-raw.js";
export * from "./encode.js";
export * from "./kinds.js";
export * from "./strings.js";
export type * from "./types.js";
export * from "./sink.js";
