// Preloaded (node --import) into a child whose peak memory a test checks:
// writes the process's peak RSS in bytes to $BTFKIT_RSS_FILE at exit.
// VmHWM, not getrusage: a spawned child's rusage starts from the RSS of the
// process it was forked from (the test runner), VmHWM from its own.
import fs from "node:fs";

process.on("exit", () => {
  const kib = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))?.[1];
  fs.writeFileSync(process.env.BTFKIT_RSS_FILE, String(Number(kib) * 1024));
});
