import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { homeFolder, programOutput, waitForJob, waitForState } from '../../../../testing/src/backend/jobs.js';
import { STAND_IN_BIN } from '../../../../testing/src/backend/standInDeepspeed.js';

/*
 * Modes whose command runs on the launcher only (TI-ONE's Horovod, and DeepSpeed): instance 0 runs
 * the command, the other instances wait as hosts for what it starts, and the job ends with the
 * launcher's result, the waiting instances stopped, not failed. Real processes through the HTTP API;
 * DeepSpeed's launcher is a stand-in that reads the hostfile as DeepSpeed does (testing/src/backend/bin).
 */

let fx: PlatformFixture;

beforeAll(async () => {
  fx = await startPlatform();
});
afterAll(() => fx?.close());

const small = { cpu: 0.1, memory: '64Mi' };

/** The marker files a job's instances left in its working folder, by name. */
async function markers(folder: string): Promise<string[]> {
  return (await readdir(path.join(fx.workRoot, 'home', 'alice', folder))).filter((f) => f.startsWith('marker-')).sort();
}

describe('horovod: the command runs on the launcher only', () => {
  it('one marker for two nodes; the job succeeds with the launcher, the waiting worker is stopped', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'hvd-ok');
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: {
          name: 'hvd-markers',
          mode: 'horovod',
          command: 'touch "marker-$INDEX"\necho "launcher on $NODE_IP_SLOT_LIST"',
          workingDir,
          nodes: 2,
          resources: small,
        },
      },
    });
    const job = await waitForJob(client, created.id);
    const logs = await programOutput(client, job.id);
    expect(job.state, JSON.stringify({ job, logs })).toBe('Succeeded');
    expect(await markers('hvd-ok')).toEqual(['marker-0']);
    expect(logs[0]).toEqual(['launcher on 127.0.0.1:1,127.0.0.1:1']);
    expect(job.instances.map((i) => [i.name, i.state])).toEqual([
      ['node-0', 'Succeeded'],
      ['node-1', 'Stopped'],
    ]);
    expect(job.reason).toBeUndefined();
  });

  it('the waiting worker holds its place (a live process) while the launcher runs', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'hvd-wait');
    const client = fx.client();
    // The launcher waits until the worker's process is seen running, then ends.
    const command = 'until [ -e go ]; do sleep 0.05; done\ntouch "marker-$INDEX"';
    const created = await client.createJob({
      body: { spec: { name: 'hvd-wait', mode: 'horovod', command, workingDir, nodes: 3, resources: small } },
    });
    const running = await waitForState(client, created.id, 'Running');
    expect(running.instances.map((i) => i.state)).toEqual(['Running', 'Running', 'Running']);
    expect(running.instances[1]?.pid).toBeGreaterThan(0);
    await homeFolder(fx.workRoot, 'alice', 'hvd-wait', { go: '' });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Succeeded');
    expect(await markers('hvd-wait')).toEqual(['marker-0']);
    expect(job.instances.map((i) => i.state)).toEqual(['Succeeded', 'Stopped', 'Stopped']);
  });

  it('a launcher exiting 3 fails the job with its exit; the worker is stopped, not failed', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'hvd-fail');
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: { name: 'hvd-fail', mode: 'horovod', command: 'exit 3', workingDir, nodes: 2, resources: small },
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 0, exitCode: 3 });
    expect(job.instances.map((i) => [i.state, i.exitCode])).toEqual([
      ['Failed', 3],
      ['Stopped', undefined],
    ]);
  });

  it('a waiting worker that dies before the launcher ends fails the job: the launcher lost a host', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'hvd-lost');
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: { name: 'hvd-lost', mode: 'horovod', command: 'sleep 600', workingDir, nodes: 2, resources: small },
      },
    });
    const running = await waitForState(client, created.id, 'Running');
    process.kill(-(running.instances[1]?.pid ?? 0), 'SIGKILL');
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 1, signal: 'SIGKILL' });
    expect(job.instances.map((i) => i.state)).toEqual(['Stopped', 'Failed']);
  });
});

// Each rank the launcher starts says who it is, in a file of its own and on stdout. The ranks share
// the launcher's stdout and run unbuffered (python -u), where print() writes the text and its newline
// apart: one write per line keeps two ranks' lines from interleaving.
const TRAIN_PY = `
import os, sys
rank, world = os.environ["RANK"], os.environ["WORLD_SIZE"]
open(f"rank-{rank}-of-{world}", "w").close()
sys.stdout.write(f"rank {rank} of {world}\\n")
sys.exit(int(os.environ.get("FAIL_RANK_1", "0")) if rank == "1" else 0)
`;

describe('deepspeed: deepspeed --hostfile $DEEPSPEED_HOSTFILE on the launcher', () => {
  const command = 'touch "marker-$INDEX"\ndeepspeed --hostfile "$DEEPSPEED_HOSTFILE" train.py';
  const env = { PATH: `${STAND_IN_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}` };

  it('the launcher reads a `host slots=N` hostfile and starts one rank per slot; the job succeeds with it', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'ds-ok', { 'train.py': TRAIN_PY });
    const client = fx.client();
    const created = await client.createJob({
      body: { spec: { name: 'ds-ok', mode: 'deepspeed', command, workingDir, env, nodes: 2, resources: small } },
    });
    const job = await waitForJob(client, created.id);
    const logs = await programOutput(client, job.id);
    expect(job.state, JSON.stringify({ job, logs })).toBe('Succeeded');
    // Both nodes are 127.0.0.1 here: one line with their slots (DeepSpeed refuses a host given twice).
    expect(logs[0]?.slice(0, 2)).toEqual([
      'deepspeed (stand-in): hostfile 127.0.0.1 slots=2',
      'deepspeed (stand-in): world size 2 on 127.0.0.1',
    ]);
    expect(logs[0]?.slice(2).sort()).toEqual(['rank 0 of 2', 'rank 1 of 2']);
    expect(logs[1] ?? []).toEqual([]);
    const files = await readdir(path.join(fx.workRoot, 'home', 'alice', 'ds-ok'));
    expect(files.filter((f) => f.startsWith('rank-')).sort()).toEqual(['rank-0-of-2', 'rank-1-of-2']);
    expect(await markers('ds-ok')).toEqual(['marker-0']);
    expect(job.instances.map((i) => [i.name, i.state])).toEqual([
      ['node-0', 'Succeeded'],
      ['node-1', 'Stopped'],
    ]);
    const jobEnv = await client.jobEnv({ params: { id: job.id } });
    for (const instance of jobEnv.instances) {
      expect(instance.env.DEEPSPEED_HOSTFILE).toMatch(/hostfile$/);
      expect(instance.env.OMPI_MCA_orte_default_hostfile).toBe(instance.env.DEEPSPEED_HOSTFILE);
      expect(instance.env.NODE_IP_SLOT_LIST).toBe('127.0.0.1:1,127.0.0.1:1');
    }
  });

  it('a rank failing makes the launcher exit 3: the job fails with that exit code', async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'ds-fail', { 'train.py': TRAIN_PY });
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: {
          name: 'ds-fail',
          mode: 'deepspeed',
          command,
          workingDir,
          env: { ...env, FAIL_RANK_1: '3' },
          nodes: 2,
          resources: small,
        },
      },
    });
    const job = await waitForJob(client, created.id);
    expect(job.state).toBe('Failed');
    expect(job.reason).toMatchObject({ kind: 'exit-code', instance: 0, exitCode: 3 });
    expect(job.instances.map((i) => i.state)).toEqual(['Failed', 'Stopped']);
  });
});
