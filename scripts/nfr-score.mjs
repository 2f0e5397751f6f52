#!/usr/bin/env node
// Scores the `nfrs` command on the NFR development corpus (a sibling folder of the checkout:
// ../shared/testing/nfr-corpus): runs the built CLI (`nfrs <spec-id> --json`) on every spec of the corpus,
// writes the scorer's input, runs the corpus' score.mjs on it and prints its output (last line
// `recall X% precision Y%`). Builds first when dist is missing or older than src. With --record, the
// result is also written to bench/results/nfr-score.json.
//
//   npm run nfr:score                # print the score
//   npm run nfr:score -- --record    # and record it
//   npm run nfr:score -- --verbose   # the scorer's list of misses
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpus = path.resolve(root, '../shared/testing/nfr-corpus');
const args = process.argv.slice(2);
const record = args.includes('--record');
const verbose = args.includes('--verbose');

if (!existsSync(path.join(corpus, 'score.mjs')) || !existsSync(path.join(corpus, 'specs'))) {
  console.error(
    `nfr:score: the NFR corpus is not at ${path.relative(root, corpus)} (expected score.mjs, golden.json and specs/ there, beside the checkout)`,
  );
  process.exit(1);
}

/** Newest modification time under a folder (files only). */
function newest(folder) {
  let latest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const cli = path.join(root, 'dist/cli/main.js');
if (!existsSync(cli) || statSync(cli).mtimeMs < newest(path.join(root, 'src'))) {
  console.error('nfr:score: dist is missing or older than src; building');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
}

const specsRoot = path.join(corpus, 'specs');
const extracted = {};
for (const category of readdirSync(specsRoot).sort()) {
  for (const specId of readdirSync(path.join(specsRoot, category)).sort()) {
    const run = spawnSync(process.execPath, [cli, 'nfrs', specId, '--json', '--root', corpus], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (run.status !== 0) {
      console.error(`nfr:score: nfrs ${specId} exited ${run.status}:\n${run.stderr}`);
      process.exit(1);
    }
    const listing = JSON.parse(run.stdout);
    extracted[specId] = listing.targets.map((target) => ({
      line: target.line,
      comparator: target.comparator,
      value: target.value,
      unit: target.unit,
      percentile: target.percentile,
      text: target.text,
    }));
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'nfr-score-'));
try {
  const input = path.join(work, 'extracted.json');
  writeFileSync(input, `${JSON.stringify(extracted, null, 1)}\n`);
  const scorer = path.join(corpus, 'score.mjs');
  const text = execFileSync(process.execPath, [scorer, input, ...(verbose ? ['--verbose'] : [])], {
    encoding: 'utf8',
  });
  if (record) {
    const result = JSON.parse(
      execFileSync(process.execPath, [scorer, input, '--json'], { encoding: 'utf8' }),
    );
    const total = result.total;
    const summary = {
      benchmark: 'nfr-score',
      measured_at: new Date().toISOString(),
      command: 'npm run nfr:score -- --record',
      corpus: 'NFR development corpus (13 public requirement documents, hand-labelled golden.json)',
      recall: Number(total.recall.toFixed(4)),
      precision: Number(total.precision.toFixed(4)),
      golden_required: total.golden,
      matched: total.matched,
      extracted: total.extracted,
      correct: total.ok,
      optional_matched: total.optionalHit,
      percentile_agreement: `${total.pctSame}/${total.pctKnown}`,
      specs: result.specs.map((spec) => ({
        spec: spec.spec,
        recall: spec.recall === null ? null : Number(spec.recall.toFixed(4)),
        precision: spec.precision === null ? null : Number(spec.precision.toFixed(4)),
        golden: spec.golden,
        extracted: spec.extracted,
      })),
    };
    writeFileSync(path.join(root, 'bench/results/nfr-score.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
  process.stdout.write(text);
} finally {
  rmSync(work, { recursive: true, force: true });
}
