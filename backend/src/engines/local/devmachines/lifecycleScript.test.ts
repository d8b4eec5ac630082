import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIFECYCLE_PATH, runLifecycleScript, type LifecycleScriptRun } from './lifecycleScript.js';

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'aiplat-lifecycle-test-'));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

function collecting(script: string, overrides: Partial<LifecycleScriptRun> = {}) {
  const lines: { stream: string; text: string }[] = [];
  const run = runLifecycleScript({
    kind: 'on-start',
    script,
    cwd,
    env: { HOME: cwd, PATH: '/nowhere', GREETING: 'hi' },
    onLine: (stream, text) => lines.push({ stream, text }),
    ...overrides,
  });
  return { run, lines };
}

describe('runLifecycleScript', () => {
  it('runs in the working dir with the fixed PATH and the machine’s variables, streaming both outputs', async () => {
    const { run, lines } = collecting('echo "$GREETING from $(pwd)"\necho "$PATH" >&2\n');
    expect(await run).toEqual({ ok: true });
    expect(lines).toEqual([
      { stream: 'stdout', text: `hi from ${cwd}` },
      { stream: 'stderr', text: LIFECYCLE_PATH },
    ]);
  });

  it('a script that exits 3 fails with the code and its last lines', async () => {
    const { run } = collecting('for i in $(seq 1 15); do echo "line $i"; done\nexit 3\n');
    const outcome = await run;
    expect(outcome).toEqual({
      ok: false,
      reason: `the on-start script exited with code 3; its last lines: ${Array.from({ length: 10 }, (_, i) => `line ${i + 6}`).join(' / ')}`,
    });
  });

  it('ends the whole process group at the timeout and says so', async () => {
    const { run } = collecting('echo waiting\n(sleep 30; echo late) &\nsleep 30\n', { timeoutMs: 300 });
    const started = Date.now();
    const outcome = await run;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(outcome).toEqual({
      ok: false,
      reason: 'the on-start script did not finish within 0.3 s; its last lines: waiting',
    });
  });

  it('streams 100 MB of output line by line without keeping it', async () => {
    let count = 0;
    let chars = 0;
    const outcome = await runLifecycleScript({
      kind: 'on-create',
      // 100 MB: 1,000,000 lines of 100 characters (99 and the newline).
      script: `yes '${'x'.repeat(99)}' | head -n 1000000\n`,
      cwd,
      env: {},
      onLine: (_stream, text) => {
        count++;
        chars += text.length;
      },
    });
    expect(outcome).toEqual({ ok: true });
    expect(count).toBe(1_000_000);
    expect(chars).toBe(99_000_000);
  }, 60_000);

  it('passes a line without newlines on in 16 KiB pieces rather than gathering it', async () => {
    const { run, lines } = collecting('head -c 40000 /dev/zero | tr "\\0" a\n');
    expect(await run).toEqual({ ok: true });
    expect(lines.map((l) => l.text.length)).toEqual([16_384, 16_384, 40_000 - 2 * 16_384]);
  });
});
