/**
 * `npm run bench`: every benchmark, each beside its reference tool in the same
 * run, reported as figures and ratios. Not a test: nothing here asserts times.
 * `npm run bench -- targets btf` runs only the named sections;
 * BTFKIT_BENCH_CLI=path/to/bin compares another build's CLI (before/after).
 */
import { benchBtf } from "./btf.js";
import { benchCheck } from "./check.js";
import { benchDedup } from "./dedup.js";
import { benchHostile } from "./hostile.js";
import { CLI } from "./lib.js";
import { benchMinCore } from "./min-core.js";
import { benchTargets } from "./targets.js";

const sections: Record<string, () => void> = { targets: benchTargets, btf: benchBtf, dedup: benchDedup, hostile: () => benchHostile(), mincore: benchMinCore, check: benchCheck };
const chosen = process.argv.slice(2);
for (const name of chosen) if (!(name in sections)) throw new Error(`unknown section '${name}' (${Object.keys(sections).join(", ")})`);
console.log(`node ${process.version}, ${new Date().toISOString()}, CLI ${CLI}`);
for (const [name, run] of Object.entries(sections)) if (!chosen.length || chosen.includes(name)) run();
