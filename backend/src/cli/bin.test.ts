import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homeFolder } from '../../../testing/src/backend/jobs.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

/** The `aiplat` bin as built by `tsc -b` (what `npx aiplat` runs). */
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

let fx: PlatformFixture;
beforeAll(async () => {
  fx = await startPlatform();
});
afterAll(() => fx?.close());

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: fx.dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the aiplat bin (node backend/dist/cli/main.js)', () => {
  it('submits a 2-node job and waits for it to succeed, as a real process', async () => {
    expect(existsSync(BIN), 'build first: npx tsc -b').toBe(true);
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'bin');
    await writeFile(
      path.join(fx.dir, 'job.yaml'),
      `name: bin-ddp
mode: ddp
nodes: 2
command: echo rank $RANK of $WORLD_SIZE
workingDir: ${workingDir}
resources: { cpu: 0.1, memory: 64Mi }
`,
    );
    const env = { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice };
    const submit = await run(['submit', '-f', 'job.yaml', '--follow'], env);
    expect(submit.code, submit.stderr).toBe(0);
    const id = /^(job-[0-9a-f]+) submitted: bin-ddp/.exec(submit.stdout)?.[1];
    expect(id, submit.stdout).toBeDefined();
    expect(submit.stdout).toContain('[node-0] rank 0 of 2\n');
    expect(submit.stdout).toContain('[node-1] rank 1 of 2\n');
    expect(submit.stderr).toContain(`${id}: Succeeded`);
    expect((await fx.client().getJob({ params: { id: id! } })).state).toBe('Succeeded');

    const missingToken = await run(['list'], { AIPLAT_SERVER: fx.baseUrl });
    expect(missingToken.code).toBe(2);
    expect(missingToken.stderr).toContain('set AIPLAT_TOKEN');
    expect(missingToken.stderr).not.toMatch(/^\s+at /m);
  });
});
