import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY, keepEvidence, startVsCode, treeItem, type VsCode } from './harness.js';

/*
 * Training from VS Code against a real backend on the local engine: submit a 2-node DDP job from the
 * workspace's job.yaml with "Submit job.yaml", watch it in the Jobs view until it succeeds, follow
 * its logs in the Output panel, then start a long job and stop it from the palette.
 */

// The Debian python: the backend's jobs run with a PATH where pyenv's shims may find no Python.
const JOB_YAML = `name: e2e-ddp
mode: ddp
nodes: 2
command: /usr/bin/python3 -c 'import os; print("rank", os.environ["RANK"])'
workingDir: home
resources: { cpu: 0.1, memory: 64Mi }
`;
const LONG_JOB_YAML = `name: e2e-long
mode: ddp
nodes: 1
command: sleep 600
workingDir: home
resources: { cpu: 0.1, memory: 64Mi }
`;
const TRAIN_PY = "import os\nprint('rank', os.environ['RANK'])\n";

/** The state (and progress) the Jobs view shows for a job. */
async function jobDescription(vsc: VsCode, name: string): Promise<string> {
  const view = await vsc.openView('Jobs');
  const row = treeItem(view, name);
  if ((await row.count()) === 0) return '';
  return (
    await row
      .first()
      .locator('.label-description')
      .innerText()
      .catch(() => '')
  ).trim();
}

describe('training from VS Code', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({ files: { 'home/e2e/job.yaml': JOB_YAML, 'home/e2e/train.py': TRAIN_PY } });
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('submits a 2-node DDP job from job.yaml and follows its logs to success', async () => {
    await vsc.runCommand(`${CATEGORY}: Submit job.yaml`);
    await vsc.answerInput('e2e/job.yaml'); // which job.yaml: the backend seeds home/<user>/ddp-example/job.yaml too
    await expect.poll(() => jobDescription(vsc, 'e2e-ddp'), { timeout: 90_000 }).toMatch(/^Succeeded/);
    await vsc.screenshot('training-ddp-succeeded');

    await vsc.runCommand(`${CATEGORY}: Show Job Logs`);
    await vsc.answerInput('e2e-ddp'); // which job
    await vsc.answerInput(''); // which instance: the first
    await expect.poll(() => vsc.outputText().catch(() => ''), { timeout: 30_000 }).toMatch(/rank [01]/);
    await vsc.screenshot('training-ddp-logs');

    // Job details in a webview (scripts on, strict CSP, messages from the extension).
    await vsc.runCommand(`${CATEGORY}: Show Job Details`);
    await vsc.answerInput('e2e-ddp');
    const details = await vsc.webview(/e2e-ddp/);
    await expect
      .poll(
        () =>
          details
            .locator('body')
            .innerText()
            .catch(() => ''),
        { timeout: 30_000 },
      )
      .toMatch(/Succeeded/);
    await vsc.screenshot('training-ddp-details');
  }, 180_000);

  it('stops a running job from the palette', async () => {
    await writeFile(path.join(vsc.root, 'home', 'e2e', 'long.job.yaml'), LONG_JOB_YAML);
    await vsc.runCommand(`${CATEGORY}: Submit job.yaml`);
    await vsc.answerInput('long.job.yaml'); // which job.yaml: there are three now
    await expect.poll(() => jobDescription(vsc, 'e2e-long'), { timeout: 60_000 }).toMatch(/^Running/);
    await vsc.screenshot('training-long-running');

    await vsc.runCommand(`${CATEGORY}: Stop Job`);
    await vsc.answerInput('e2e-long');
    await expect.poll(() => jobDescription(vsc, 'e2e-long'), { timeout: 60_000 }).toMatch(/^Stopped/);
    await vsc.screenshot('training-long-stopped');
  }, 180_000);
});
