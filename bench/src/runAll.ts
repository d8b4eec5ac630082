// `npm run bench`: runs every benchmark in its own process (so one's heap does not skew the next)
// and exits non-zero when any of them missed its target.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = ['listing.js', 'scheduler.js', 'submitLatency.js', 'logFanout.js'];

let failed = 0;
for (const file of BENCHMARKS) {
  process.stdout.write(`\n=== ${file.replace(/\.js$/, '')}\n`);
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(`./${file}`, import.meta.url))], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed += 1;
}
process.stdout.write(`\n${BENCHMARKS.length - failed} of ${BENCHMARKS.length} benchmarks met their targets\n`);
process.exitCode = failed === 0 ? 0 : 1;
