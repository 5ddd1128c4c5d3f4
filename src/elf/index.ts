/** ELF reading: sections, symbols and relocations of relocatable objects, executables and kernel images. */
export * from "./constants.js";
export * from "./read.js";
