/**
 * `npm run bench`: the quick benchmarks, each writing bench/results/<name>.json.
 *   run-once       start-up and peak memory of --run-once vs `node -e 0`
 *   period-report  a 30-day report for 100 NFRs at one-minute resolution from the embedded history
 *   history        /api/history over 3 M rows, and /healthz while 50 page loads and that read run
 * The daemon soak (1,000 NFRs at 1 s for 10 minutes) is `npm run bench:soak`; one cycle of 10,000 NFRs
 * against raw concurrent fetches of the same queries is `npm run bench:cycle`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PROJECT_ROOT } from './support.js';

const only = process.argv.slice(2);
for (const name of ['run-once', 'period-report', 'history']) {
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`== bench ${name}\n`);
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench', `${name}.ts`)],
    {
      cwd: PROJECT_ROOT,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
