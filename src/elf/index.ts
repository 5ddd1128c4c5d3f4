/** ELF reading (sections, symbols and relocations of relocatable objects, executables and kernel images) and rewriting of relocatable objects. */
export * from "./constants.js";
export * from "./read.js";
export * from "./write.js";
