/**
 * The one normalization every input goes through at the library's entry
 * points (ELF, BTF, .BTF.ext, kernel config), so that nothing downstream can
 * write into the caller's memory by accident.
 */

/**
 * `input` as a plain Uint8Array over the caller's memory, copied only when
 * that memory is shared.
 *
 * A subclass such as Node's Buffer keeps its species through `subarray`, and
 * Buffer's `slice` returns a view: code that copies with `.slice()` before
 * patching would patch the caller's bytes. A plain Uint8Array's `slice`
 * always copies. A SharedArrayBuffer view is copied once, because another
 * thread may change it between our validation and our reads, and browsers'
 * TextDecoder refuses shared memory.
 */
export function plainBytes(input: Uint8Array): Uint8Array {
  if (typeof SharedArrayBuffer !== "undefined" && input.buffer instanceof SharedArrayBuffer) return new Uint8Array(input);
  if (input.constructor === Uint8Array) return input;
  return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
}
