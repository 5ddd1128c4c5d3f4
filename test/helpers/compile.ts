/**
 * Compiling generated headers the way BPF programs use them: `clang -target
 * bpf -fsyntax-only` on a program that includes vmlinux.h, then
 * bpf/bpf_helpers.h from libbpf-dev.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

/**
 * The fixed-width UAPI typedefs bpf_helper_defs.h uses, spelled as the kernel
 * spells them. A kernel's vmlinux.h defines them itself (libbpf-tools include
 * vmlinux.h, then bpf_helpers.h, and nothing else); corpus and root-id
 * headers may not, so they get these after the header. C11 allows repeating
 * a typedef of the same type, so a header that has some of them is fine.
 */
const UAPI_TYPEDEFS = `typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
`;


/**
 * `clang -target bpf -fsyntax-only` on vmlinux.h + bpf_helpers.h (with
 * `before` ahead of vmlinux.h); resolves to clang's stderr, rejects with it.
 */
export async function compileHeader(
  h: string,
  opts: { uapiTypedefs: boolean; werror?: boolean; allow?: string[]; before?: string },
): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "btfkit-header-"));
  fs.writeFileSync(path.join(dir, "vmlinux.h"), h);
  const prog = path.join(dir, "prog.c");
  const uapi = opts.uapiTypedefs ? UAPI_TYPEDEFS : "";
  fs.writeFileSync(prog, `${opts.before ?? ""}#include "vmlinux.h"\n${uapi}#include <bpf/bpf_helpers.h>\n`);
  const flags = opts.werror ? ["-Wall", "-Werror", ...(opts.allow ?? []).map((w) => `-Wno-error=${w}`)] : [];
  try {
    const { stderr } = await execFileP("clang", ["-target", "bpf", "-fsyntax-only", ...flags, "-I", dir, prog], {
      maxBuffer: 1 << 26,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    return stderr;
  } catch (e) {
    throw new Error(`header in ${dir} does not compile:\n${(e as { stderr?: string }).stderr ?? e}`);
  }
}

