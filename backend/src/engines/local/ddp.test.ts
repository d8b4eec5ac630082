import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvironment } from './environment/environment.js';
import type { InstancePlacement } from './environment/types.js';
import { allocatePorts, createSupervisor, readLog, type Supervisor } from './supervisor/index.js';

/**
 * The local engine's parts together with real PyTorch (Debian's python3-torch, gloo on CPU): the
 * environment builder gives two "nodes" their DDP variables, the supervisor runs each as its own
 * process group, and the two really train one model together. The job service that wires these to
 * the API comes next; this proves the parts fit.
 */
const PYTHON = '/usr/bin/python3';
const SHIM = fileURLToPath(new URL('../../../dist/engines/local/supervisor/logShim.js', import.meta.url));

const TRAIN_PY = `
import torch, torch.distributed as dist
dist.init_process_group("gloo")  # MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK come from the platform
rank, world = dist.get_rank(), dist.get_world_size()
torch.manual_seed(0)
model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05)
gen = torch.Generator().manual_seed(rank)
for step in range(10):
    x = torch.randn(16, 4, generator=gen)
    loss = torch.nn.functional.mse_loss(model(x), x.sum(dim=1, keepdim=True))
    opt.zero_grad(); loss.backward(); opt.step()
    print(f"rank {rank}/{world} step {step} loss {loss.item():.4f}", flush=True)
w = model.module.weight.detach().clone()
gathered = [torch.zeros_like(w) for _ in range(world)]
dist.all_gather(gathered, w)
print(f"rank {rank} weights " + ("in sync" if all(torch.allclose(gathered[0], t) for t in gathered) else "differ"), flush=True)
dist.destroy_process_group()
`;

let dir: string;
let supervisor: Supervisor;

beforeAll(async () => {
  expect(
    existsSync(PYTHON) && existsSync(SHIM),
    'needs python3-torch (npm test installs it) and a build (npx tsc -b)',
  ).toBe(true);
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-ddp-'));
  await writeFile(path.join(dir, 'train.py'), TRAIN_PY);
  supervisor = createSupervisor({ shimPath: SHIM });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runTwoNodeDdp(jobId: string, command: string) {
  const [masterPort] = await allocatePorts(1);
  const instances: InstancePlacement[] = [0, 1].map((index) => ({
    index,
    role: 'node',
    host: '127.0.0.1',
    gpus: 0,
    ports: index === 0 ? { master: masterPort! } : {},
  }));
  const jobDir = path.join(dir, jobId);
  const result = buildEnvironment({
    jobId,
    mode: 'ddp',
    instances,
    userEnv: { EPOCHS: '1' },
    hyperparametersPath: path.join(jobDir, 'hyperparameters.json'),
    jobDir,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir(), LANG: 'C.UTF-8' };
  const handles = await Promise.all(
    result.plan.instances.map((instance) =>
      supervisor.launchInstance({
        jobId,
        instance: instance.name,
        command,
        cwd: dir,
        env: { ...base, ...instance.env },
        logDir: path.join(jobDir, 'logs'),
      }),
    ),
  );
  const exits = await Promise.all(handles.map((h) => h.exited));
  const logs = await Promise.all(
    handles.map(async (h) => (await readLog(h.logFile, { limit: 10_000 })).lines.filter((l) => l.s !== 'platform')),
  );
  return { exits, logs: logs.map((lines) => lines.map((l) => l.m)) };
}

function expectTrainedTogether({ exits, logs }: Awaited<ReturnType<typeof runTwoNodeDdp>>) {
  expect(
    exits.map((e) => e.code),
    JSON.stringify(logs),
  ).toEqual([0, 0]);
  for (const rank of [0, 1]) {
    const lines = logs[rank]!;
    expect(lines.filter((l) => new RegExp(`^rank ${rank}/2 step \\d+ loss [\\d.]+$`).test(l))).toHaveLength(10);
    expect(lines).toContain(`rank ${rank} weights in sync`);
  }
}

describe('a 2-node DDP job on the local engine parts, with real PyTorch', () => {
  it('trains with plain python3 reading MASTER_ADDR/MASTER_PORT/WORLD_SIZE/RANK', async () => {
    expectTrainedTogether(await runTwoNodeDdp('ddp-plain', `${PYTHON} train.py`));
  });

  it('trains through torchrun launched with the injected variables', async () => {
    // Debian's torchrun on Python 3.11 needs --redirects/--tee/--log_dir (see shared/RECIPES.md).
    const command = [
      `${PYTHON} -m torch.distributed.run --nnodes "$WORLD_SIZE" --node_rank "$RANK"`,
      '--master_addr "$MASTER_ADDR" --master_port "$MASTER_PORT" --nproc_per_node 1',
      '--redirects 2 --tee 2 --log_dir "torchrun-logs-$RANK" train.py',
    ].join(' ');
    expectTrainedTogether(await runTwoNodeDdp('ddp-torchrun', command));
  });
});
