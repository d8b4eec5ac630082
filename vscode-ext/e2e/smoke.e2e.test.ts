import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { keepEvidence, startVsCode, type VsCode } from './harness.js';

describe('smoke', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({ files: { 'home/e2e/train.py': 'print(1)\n' } });
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('connects', async () => {
    await vsc.screenshot('smoke-start');
    await vsc.setToken();
    await vsc.screenshot('smoke-connected');
  }, 60_000);
});
