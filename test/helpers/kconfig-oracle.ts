/**
 * The libbpf side of the kconfig differential: test/oracle/kconfig-oracle.c
 * loads an object with libbpf 1.1.2 (an in-memory kconfig string on stdin)
 * and prints the .kconfig map's value as the kernel holds it, or libbpf's
 * error. Also the machine facts libbpf uses for the virtual externs.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import zlib from "node:zlib";
import { REQUIRE_ORACLES, clangBpf, libbpfHarness } from "./env.js";

export function kconfigOracleBinary(): string {
  return libbpfHarness("test/oracle/kconfig-oracle.c");
}

export interface KconfigOracleResult {
  ok: boolean;
  /** libbpf's negative errno when !ok. */
  err?: number;
  stage?: string;
  data?: Uint8Array;
  log: string;
}

/** Loads `obj` with libbpf; `kconfig` (when given) is the `kconfig` open option. */
export function runKconfigOracle(obj: string, kconfig: string | undefined): KconfigOracleResult {
  const args = kconfig === undefined ? [obj] : [obj, "mem"];
  const r = spawnSync(kconfigOracleBinary(), args, { input: kconfig ?? "", encoding: "utf8", timeout: 60_000, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`kconfig-oracle ${args.join(" ")} exited ${r.status}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim()) as { ok: boolean; err?: number; stage?: string; hex?: string };
  const data = out.hex === undefined ? undefined : Uint8Array.from(out.hex.match(/../g) ?? [], (h) => parseInt(h, 16));
  return { ok: out.ok, err: out.err, stage: out.stage, data, log: r.stderr };
}

const PROBE = `extern int CONFIG_BTFKIT_PROBE __attribute__((section(".kconfig"), weak));
__attribute__((section("socket"), used)) int probe(void *ctx) { return CONFIG_BTFKIT_PROBE; }
char _license[] __attribute__((section("license"), used)) = "GPL";
`;

/** Whether libbpf can load programs here (BPF privileges). Throws when not and oracles are required. */
export function kconfigOracleWorks(): boolean {
  let ok = false;
  let why = "";
  try {
    const r = runKconfigOracle(clangBpf(PROBE, { flags: ["-target", "bpfel"] }), "CONFIG_BTFKIT_PROBE=1\n");
    ok = r.ok && r.data?.length === 4 && r.data[0] === 1;
    why = r.log.slice(-2000);
  } catch (e) {
    why = String(e);
  }
  if (!ok && REQUIRE_ORACLES) throw new Error(`kconfig-oracle could not load a program (BPF privileges?):\n${why}`);
  return ok;
}

/** The system config libbpf reads when the in-memory one leaves externs unset (uncompressed text). */
export function systemKconfig(): { bytes: Uint8Array; name: string } | undefined {
  const boot = `/boot/config-${os.release()}`;
  for (const name of [boot, "/proc/config.gz"]) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(name);
    } catch {
      continue;
    }
    // libbpf opens both with gzopen, which also takes plain files.
    const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes;
    return { bytes: new Uint8Array(plain), name };
  }
  return undefined;
}

/** The release libbpf 1.1.2 reads the kernel version from: Ubuntu's version_signature, else uname -r. */
export function libbpfKernelRelease(): string {
  try {
    const sig = fs.readFileSync("/proc/version_signature", "utf8").trim().split(/\s+/);
    if (sig[2]) return sig[2];
  } catch {
    // not Ubuntu
  }
  return os.release();
}

/** A virtual extern's value as libbpf's debug log reports it, when it does. */
export function loggedVirtual(log: string, name: string): bigint | undefined {
  const m = new RegExp(`extern \\(kcfg\\) '${name}': set to 0x([0-9a-f]+)`).exec(log);
  return m ? BigInt(`0x${m[1]}`) : undefined;
}
