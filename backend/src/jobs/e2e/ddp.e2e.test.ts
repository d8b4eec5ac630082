import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/program.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { homeFolder, programOutput, PYTHON, waitForJob } from '../../../../testing/src/backend/jobs.js';

/**
 * The done-when: a 2-node DDP job (gloo on CPU, Debian's python3-torch) submitted through
 * the API trains across two "nodes" of the local engine, with torchrun on the injected variables and
 * as plain python3 per node.
 */
const TRAIN_PY = `
import json, os, torch, torch.distributed as dist
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
hp = json.load(open(os.environ["HYPERPARAMETERS_PATH"]))
torch.manual_seed(0)
model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=hp["lr"])
gen = torch.Generator().manual_seed(rank)
steps = int(os.environ["STEPS"])
for step in range(steps):
    x = torch.randn(16, 4, generator=gen)
    loss = torch.nn.functional.mse_loss(model(x), x.sum(dim=1, keepdim=True))
    opt.zero_grad(); loss.backward(); opt.step()
    print(f"rank {rank}/{world} step {step + 1}/{steps} loss {loss.item():.4f}", flush=True)
w = model.module.weight.detach().clone()
gathered = [torch.zeros_like(w) for _ in range(world)]
dist.all_gather(gathered, w)
print(f"rank {rank} weights " + ("in sync" if all(torch.allclose(gathered[0], t) for t in gathered) else "differ"), flush=True)
dist.destroy_process_group()
`;

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  expect(existsSync(PYTHON), 'needs python3-torch (npm test installs it)').toBe(true);
  fx = await startPlatform();
  workingDir = await homeFolder(fx.workRoot, 'alice', 'mnist', { 'train.py': TRAIN_PY });
});
afterAll(() => fx?.close());

function expectTrainedTogether(logs: string[][]) {
  for (const rank of [0, 1]) {
    const lines = logs[rank] ?? [];
    expect(
      lines.filter((l) => new RegExp(`^rank ${rank}/2 step \\d+/10 loss [\\d.]+$`).test(l)),
      lines.join('\n'),
    ).toHaveLength(10);
    expect(lines).toContain(`rank ${rank} weights in sync`);
  }
}

describe('a 2-node DDP job through the API, with real PyTorch', () => {
  it('trains as plain python3 per node, reading MASTER_ADDR/MASTER_PORT/WORLD_SIZE/RANK', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: {
          name: 'ddp-plain',
          mode: 'ddp',
          command: `${PYTHON} train.py`,
          workingDir,
          nodes: 2,
          resources: { cpu: 0.5, memory: '512Mi' },
          env: { STEPS: '10' },
          hyperparameters: { lr: 0.05 },
        },
      },
    });
    expect(created.instances.map((i) => i.name)).toEqual(['node-0', 'node-1']);
    const job = await waitForJob(client, created.id);
    expect(job.state, JSON.stringify(job)).toBe('Succeeded');
    expect(job.instances.map((i) => [i.state, i.exitCode])).toEqual([
      ['Succeeded', 0],
      ['Succeeded', 0],
    ]);
    expectTrainedTogether(await programOutput(client, job.id));

    const env = await client.jobEnv({ params: { id: job.id } });
    const [n0, n1] = env.instances.map((i) => i.env);
    expect(n0).toMatchObject({ MASTER_ADDR: '127.0.0.1', WORLD_SIZE: '2', RANK: '0', INDEX: '0', STEPS: '10' });
    expect(n1).toMatchObject({ MASTER_ADDR: '127.0.0.1', WORLD_SIZE: '2', RANK: '1', INDEX: '1' });
    expect(n0?.MASTER_PORT).toBe(n1?.MASTER_PORT);
    expect(n0?.NODE_LIST).toBe('127.0.0.1:0,127.0.0.1:0');

    const events = await client.jobEvents({ params: { id: job.id }, query: {} });
    expect(events.events.filter((e) => e.state).map((e) => e.state)).toEqual([
      'Queued',
      'Starting',
      'Running',
      'Succeeded',
    ]);
  });

  it('trains through torchrun launched with the injected variables, from the issue job.yaml', async () => {
    const client = fx.client();
    // The job.yaml, with Debian torchrun's extra flags (see shared/RECIPES.md).
    const yaml = `name: mnist-ddp
mode: ddp                  # ddp | mpi | horovod | ray | ps-worker
command: |
  ${PYTHON} -m torch.distributed.run --nnodes $WORLD_SIZE --node_rank $RANK --master_addr $MASTER_ADDR \\
           --master_port $MASTER_PORT --nproc_per_node 1 \\
           --redirects 2 --tee 2 --log_dir torchrun-logs-$RANK train.py
workingDir: ${workingDir}  # relative to /work
image: pytorch:2.3         # used by the Kubernetes engine
nodes: 2
resources: { cpu: 1, memory: 2Gi, accelerator: { type: none, count: 0 } }
env: { EPOCHS: "2", STEPS: "10" }
hyperparameters: { lr: 0.05 }
autoRestart: { maxRestarts: 0 }
priority: 0
queue: default
`;
    const created = await client.createJob({ body: { yaml } });
    expect(created.spec).toMatchObject({ name: 'mnist-ddp', image: 'pytorch:2.3', priority: 0 });
    const job = await waitForJob(client, created.id);
    expect(job.state, JSON.stringify(job)).toBe('Succeeded');
    expectTrainedTogether(
      (await programOutput(client, job.id)).map((lines) => lines.map((l) => l.replace(/^\[[^\]]*\]:/, ''))),
    );
  });

  it('trains from the CLI: aiplat submit -f job.yaml --wait exits 0, aiplat logs shows both ranks', async () => {
    const dir = path.join(fx.workRoot, 'home', 'alice', 'mnist');
    await writeFile(
      path.join(dir, 'job.yaml'),
      [
        'name: cli-ddp',
        'mode: ddp',
        `command: ${PYTHON} train.py`,
        `workingDir: ${workingDir}`,
        'nodes: 2',
        'resources: { cpu: 0.5, memory: 512Mi }',
        'env: { STEPS: "10" }',
        'hyperparameters: { lr: 0.05 }',
      ].join('\n'),
    );
    const cli = async (...args: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(args, {
        stdout: { write: (t: string) => (out += t) },
        stderr: { write: (t: string) => (err += t) },
        env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice },
        cwd: dir,
      });
      return { code, out, err };
    };
    const submitted = await cli('submit', '-f', 'job.yaml', '--wait');
    expect(submitted.code, submitted.out + submitted.err).toBe(0);
    const id = /job-[0-9a-f]+/.exec(submitted.out)?.[0] ?? '';
    expect((await fx.client().getJob({ params: { id } })).state).toBe('Succeeded');
    const logs = await Promise.all([0, 1].map((rank) => cli('logs', id, '--instance', String(rank))));
    expectTrainedTogether(logs.map((l) => l.out.trim().split('\n')));
  });
});
