/**
 * `npm run bench`: every benchmark, each beside its reference tool in the same
 * run, reported as figures and ratios. Not a test: nothing here asserts times.
 */
import { benchBtf } from "./btf.js";
import { benchDedup } from "./dedup.js";
import { benchHostile } from "./hostile.js";
import { benchTargets } from "./targets.js";

console.log(`node ${process.version}, ${new Date().toISOString()}`);
benchTargets();
benchBtf();
benchDedup();
benchHostile();
