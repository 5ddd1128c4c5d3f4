/** btfkit library API. Everything here takes bytes and returns values: no file I/O. */
export * from "./errors.js";
export * from "./elf/index.js";
export * from "./btf/index.js";
export * from "./core/index.js";
