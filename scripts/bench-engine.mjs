// One engine growth pair (`node scripts/bench-engine.mjs 10000,20000`), forked by bench.mjs so
// that each pair starts in a fresh process: no JIT, heap or peak RSS carried over from the
// HTTP part or from another pair. Reads the bundle bench.mjs builds first.
import { pathToFileURL } from "node:url";

const { runGrowthPair } = await import(pathToFileURL(".bench/engine-throughput.mjs").href);
const sizes = (process.argv[2] ?? "10000,20000").split(",").map(Number);
process.send(runGrowthPair(sizes));
