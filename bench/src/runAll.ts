// `npm run bench`: runs every benchmark in its own process (so one's heap does not skew the next)
// and exits non-zero when any of them missed its target.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Each benchmark as the arguments of a `node` process. */
const BENCHMARKS: [string, string[]][] = [
  ...[
    'listing',
    'scheduler',
    'submitLatency',
    'logFanout',
    'devMachines',
    'proxy',
    'tensorboard',
    'serviceGateway',
    'snapshotScan',
    'imageSave',
    'archiveExtract',
    'catalogPublish',
  ].map((name): [string, string[]] => [name, [here(`./${name}.js`)]]),
  // In a real JupyterLab in Chromium, through the end-to-end harness (which vitest runs from source).
  [
    'jupyterlab',
    [
      here('../../node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      here('../../jupyterlab-ext/e2e/vitest.bench.config.ts'),
    ],
  ],
  // In a real VS Code (code-server) in Chromium, through the VS Code extension's end-to-end harness.
  [
    'vscode',
    [
      here('../../node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      here('../../vscode-ext/e2e/vitest.bench.config.ts'),
    ],
  ],
];

let failed = 0;
for (const [name, args] of BENCHMARKS) {
  process.stdout.write(`\n=== ${name}\n`);
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.stdout.write(`\n${BENCHMARKS.length - failed} of ${BENCHMARKS.length} benchmarks met their targets\n`);
process.exitCode = failed === 0 ? 0 : 1;
