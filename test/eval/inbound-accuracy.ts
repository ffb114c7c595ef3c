/**
 * Accuracy of the inbound readers on the labelled public fixtures vendored in test/fixtures/
 * (sources and licences in its README), per class, for the tuning part and the held-out part,
 * with the slowest sample's time. Run by `npm run eval:inbound` (and `npm test`): exits 1 when
 * any rate falls below test/eval/inbound-baseline.json. `--verbose` lists the tuning part's
 * misses only: the held-out part is measured, never looked into (test/fixtures/README.md).
 * `--write-baseline` raises the baseline to the current rates.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { loadFixtures } from "../load-fixtures";
import { belowBaseline, CLASSES, inboundScores, PARTS, rate, type ScoreClass } from "./inbound-scores";

// Relative to the working directory (the repo root under npm), not to this file: it runs bundled from .bench/.
const BASELINE = `${process.cwd()}/test/eval/inbound-baseline.json`;

const { scores, misses, slowest } = await inboundScores(loadFixtures(`${process.cwd()}/test/fixtures`));

if (process.argv.includes("--verbose")) for (const miss of misses.filter((m) => m.part === "tuning")) console.error(`--- ${miss.what}\t${miss.sample}\n    ${miss.detail}`);

const cell = (t: { hit: number; of: number }) => (t.of ? `${((100 * t.hit) / t.of).toFixed(1)} % (${t.hit}/${t.of})` : "–");
console.log("| class | tuning | held-out | goal (held-out) |\n| --- | --- | --- | --- |");
for (const [what, { title, goal }] of Object.entries(CLASSES) as [ScoreClass, (typeof CLASSES)[ScoreClass]][])
  console.log(`| ${title} | ${cell(scores.tuning[what])} | ${cell(scores.heldOut[what])} | ${goal === null ? "–" : `≥ ${goal * 100} %`} |`);
console.log(`\nslowest sample: ${slowest.ms} ms of CPU, MIME parsing and HTML conversion included (${slowest.sample})`);

const current = Object.fromEntries(
  PARTS.map((part) => [
    part,
    Object.fromEntries(
      Object.keys(CLASSES).flatMap((what) => {
        const r = rate(scores[part][what as ScoreClass]);
        return r === null ? [] : [[what, Math.floor(r * 1000) / 1000]];
      }),
    ),
  ]),
);

if (process.argv.includes("--write-baseline")) {
  writeFileSync(BASELINE, `${JSON.stringify(current, null, 2)}\n`);
  console.log(`baseline written to ${BASELINE}`);
} else {
  const drops = belowBaseline(scores, JSON.parse(readFileSync(BASELINE, "utf8")));
  if (drops.length) {
    console.error(`\nbelow the committed baseline (test/eval/inbound-baseline.json):\n  ${drops.join("\n  ")}`);
    process.exit(1);
  }
  console.log("no score below the committed baseline");
}
