import { existsSync } from 'node:fs';
import { copyFile, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, isTerminalJobState, type ApiClient } from '@aiplat/api';
import { tempDir } from '../../testing/src/backend/fixtures.js';
import { programOutput, PYTHON } from '../../testing/src/backend/jobs.js';
import { freePort, killGroup, startProcess, type Started } from '../../testing/src/processes.js';
import { readmeShellBlocks, type ReadmeShellBlock } from '../../testing/src/readmeBlocks.js';

/**
 * The README's shell blocks, run as written on a clone-like folder (the repo's installed
 * node_modules and its package.json, nothing else), as a new user would type them: the block marked
 * `server` in the background with `npm ci` and `npm start` standing for their effect (this runs after
 * the install and the build), then each block marked `run`, in order, in one "terminal" (bash with
 * -e and pipefail; exported variables and the folder carry from block to block). The platform gets a
 * free PORT, which is the README's `${PORT:-8080}` at work, since 8080 may be taken.
 *
 * README_TEST_FILE=<file> runs another Markdown file's blocks (an older README, to see it fail).
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const README = process.env.README_TEST_FILE ?? path.join(REPO, 'README.md');
const BUILT_MAIN = path.join(REPO, 'backend/dist/main.js');
const BLOCK_TIMEOUT_MS = 240_000;

/** Settings the README assumes are unset: the platform's and the CLI's own variables. */
const README_DEFAULTS = [
  'HOST',
  'PORT',
  'WORK_ROOT',
  'DATA_DIR',
  'ENGINE',
  'AUTH_TOKEN',
  'ALLOWED_ORIGINS',
  'MAX_UPLOAD_BYTES',
  'LOG_LEVEL',
];

/** `npm ci` and `npm start` in the server block: installed and built already, so start the built backend. */
const NPM_STANDS_IN = `npm() {
  case "$*" in
    ci) ;;
    start) node ${JSON.stringify(BUILT_MAIN)} ;;
    *) echo "README test: npm $* is not something the server block may run" >&2; return 2 ;;
  esac
}
`;

const blocks = readmeShellBlocks(await readFile(README, 'utf8'));
const runBlocks = blocks.filter((b) => b.mode === 'run');
const title = (b: ReadmeShellBlock) => `line ${b.line}: ${(b.code.split('\n')[0] ?? '').replace(/\s+#.*$/, '')}`;

let clone: string;
let cleanup: () => Promise<void>;
let env: NodeJS.ProcessEnv;
let server: Started | undefined;
let client: ApiClient;
/** What each run block printed (stdout and stderr together), by its line. */
const printed = new Map<number, string>();

async function runBash(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const run = startProcess('bash', ['-c', script], clone, env);
  const timer = setTimeout(() => void killGroup(run.child), timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    if (run.child.exitCode !== null) resolve(run.child.exitCode);
    else run.child.once('exit', (c) => resolve(c));
  });
  clearTimeout(timer);
  return { code, output: run.output() };
}

beforeAll(async () => {
  expect(existsSync(BUILT_MAIN), 'build first (npx tsc -b)').toBe(true);
  expect(existsSync(PYTHON), 'the training example needs python3-torch (npm test installs it)').toBe(true);
  // The stand-in for npm start skips only its build.
  const rootPackage = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  expect(rootPackage.scripts.start).toBe('node scripts/start.mjs');

  ({ dir: clone, cleanup } = await tempDir('aiplat-readme-'));
  await symlink(path.join(REPO, 'node_modules'), path.join(clone, 'node_modules'));
  await copyFile(path.join(REPO, 'package.json'), path.join(clone, 'package.json'));
  const port = await freePort();
  env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('AIPLAT_') || README_DEFAULTS.includes(name)) delete env[name];
  env.PORT = String(port);
  // The README's commands are about the API and the CLI; the dev machine npm start opens has its
  // own test (main.test.ts), and its IDEs would outlive this test's SIGKILL of the server's group.
  env.AIPLAT_DEV_MACHINE = 'off';

  const serverBlocks = blocks.filter((b) => b.mode === 'server');
  expect(serverBlocks.map(title), 'one README block starts the platform').toHaveLength(1);
  server = startProcess('bash', ['-e', '-c', NPM_STANDS_IN + serverBlocks[0]!.code], clone, env);
  const deadline = Date.now() + 60_000;
  while (!/AI Platform backend listening on/.test(server.output()) || !/token: \S+/.test(server.output())) {
    if (server.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the README's server block did not start the platform:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(server.output()).toContain(`listening on http://127.0.0.1:${port}`);
  const token = /token: (\S+)/.exec(server.output())![1]!;
  client = createClient({ baseUrl: `http://127.0.0.1:${port}`, token });
}, 90_000);

afterAll(async () => {
  // A job cut short by a failure here is stopped first: the local engine's jobs outlive the backend.
  try {
    const { jobs } = await client.listJobs({ query: {} });
    for (const job of jobs.filter((j) => !isTerminalJobState(j.state)))
      await client.stopJob({ params: { id: job.id }, body: { force: true } });
  } catch {
    // the platform never started, or is gone already
  }
  if (server) await killGroup(server.child);
  await cleanup?.();
});

describe('README.md', () => {
  it('marks every shell block as run, server or skip (with a reason)', () => {
    const unmarked = blocks.filter((b) => b.mode === undefined).map(title);
    expect(unmarked, 'put <!-- readme-test: run|server|skip — reason --> before each').toEqual([]);
    for (const b of blocks.filter((b) => b.mode === 'skip')) expect(b.note, title(b)).not.toBe('');
    expect(runBlocks.length).toBeGreaterThan(0);
  });

  const state = () => path.join(clone, '.readme-terminal');
  for (const block of runBlocks) {
    it(
      `runs the block at ${title(block)}`,
      async () => {
        const script = [
          'set -eo pipefail',
          `if [ -f ${state()} ]; then source ${state()}; fi`,
          block.code,
          // What the next block's terminal still has: exported variables and the folder.
          `export -p > ${state()}; printf 'cd %q\\n' "$PWD" >> ${state()}`,
        ].join('\n');
        const { code, output } = await runBash(script, BLOCK_TIMEOUT_MS);
        printed.set(block.line, output);
        expect(code, `${title(block)} printed:\n${output}\n\nthe platform printed:\n${server?.output()}`).toBe(0);
      },
      BLOCK_TIMEOUT_MS + 30_000,
    );
  }

  it('trained the example project: a 2-node DDP job that succeeded, with real PyTorch', async () => {
    const block = runBlocks.find((b) => /aiplat submit/.test(b.code));
    expect(block, 'a README block submits the example job').toBeDefined();
    const { jobs } = await client.listJobs({ query: {} });
    const job = jobs.find((j) => j.spec.name === 'ddp-example');
    expect(job, JSON.stringify(jobs)).toBeDefined();
    const detail = await client.getJob({ params: { id: job!.id } });
    expect(detail.state, JSON.stringify(detail)).toBe('Succeeded');
    expect(detail.spec).toMatchObject({ mode: 'ddp', nodes: 2, workingDir: 'home/ddp-example' });
    expect(detail.instances.map((i) => [i.name, i.state, i.exitCode])).toEqual([
      ['node-0', 'Succeeded', 0],
      ['node-1', 'Succeeded', 0],
    ]);
    const [node0 = [], node1 = []] = await programOutput(client, detail.id);
    const progress = node0.filter((l) => /^epoch [1-3]\/3 step \d+\/30 loss [\d.]+$/.test(l));
    expect(progress, node0.join('\n')).toHaveLength(30);
    expect(progress.at(-1)).toMatch(/^epoch 3\/3 step 30\/30 /);
    expect(detail.progress?.percent, JSON.stringify(detail.progress)).toBe(100);
    expect(node0).toContain('rank 0/2 done');
    expect(node1).toContain('rank 1/2 done');
    // What the block showed: the logs of both nodes, the variables of node 1, the listing.
    const output = printed.get(block!.line) ?? '';
    expect(output).toMatch(/^\[node-1\] rank 1\/2 done$/m);
    expect(output).toMatch(/^RANK=1$/m);
    expect(output).toMatch(/^WORLD_SIZE=2$/m);
    expect(output).toMatch(/ddp-example\s+Succeeded\s+ddp\s+2\s.*100%/);
  });

  it('uploaded train.jsonl to the home folder and listed it', async () => {
    const block = runBlocks.find((b) => /-T train\.jsonl/.test(b.code));
    expect(block, 'a README block uploads train.jsonl').toBeDefined();
    const local = await readFile(path.join(clone, 'train.jsonl'), 'utf8');
    expect(local.length).toBeGreaterThan(0);
    expect(await readFile(path.join(clone, '.work/home/dev/train.jsonl'), 'utf8')).toBe(local);
    const output = printed.get(block!.line) ?? '';
    expect(output).toContain('"name":"train.jsonl"');
    expect(output).toContain(local.split('\n')[0]); // the range read
    expect(output).toContain('"architecture":"GPT2LMHeadModel"');
  });
});
