import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { homeFolder, programOutput, PYTHON, waitForJob } from '../../../../testing/src/backend/jobs.js';

/**
 * Every mode gets its variables on the local engine, proven by real programs using them: Open MPI's
 * mpirun over the generated hostfile, PS-Worker tasks meeting at the addresses in TF_CONFIG, Ray-style
 * workers reaching the head at HEAD_ADDR:HEAD_PORT.
 */

// Each ps listens at its TF_CONFIG address until every worker has reported; each worker reports to every ps.
const PS_WORKER_PY = `
import json, os, socket, time
tf = json.loads(os.environ["TF_CONFIG"])
task, cluster = tf["task"], tf["cluster"]
if task["type"] == "ps":
    host, port = cluster["ps"][task["index"]].rsplit(":", 1)
    server = socket.create_server((host, int(port)))
    seen = []
    while len(seen) < len(cluster["worker"]):
        conn, _ = server.accept()
        seen.append(conn.recv(100).decode())
        conn.close()
    print(f"ps {task['index']} heard " + ",".join(sorted(seen)), flush=True)
else:
    for address in cluster["ps"]:
        host, port = address.rsplit(":", 1)
        for _ in range(200):
            try:
                with socket.create_connection((host, int(port))) as conn:
                    conn.sendall(f"worker{task['index']}".encode())
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit(f"no ps at {address}")
    print(f"worker {task['index']} reported to {len(cluster['ps'])} ps", flush=True)
`;

// The head (RANK 0) listens on HEAD_PORT until every worker has joined; workers join with their RANK and group.
const RAY_PY = `
import os, socket, time
rank = int(os.environ["RANK"])
if rank == 0:
    server = socket.create_server(("0.0.0.0", int(os.environ["HEAD_PORT"])))
    joined = []
    while len(joined) < int(os.environ["EXPECTED_WORKERS"]):
        conn, _ = server.accept()
        joined.append(conn.recv(100).decode())
        conn.close()
    print("head saw " + ",".join(sorted(joined)), flush=True)
else:
    for _ in range(200):
        try:
            with socket.create_connection((os.environ["HEAD_ADDR"], int(os.environ["HEAD_PORT"]))) as conn:
                conn.sendall(f"{rank}:{os.environ['AIPLAT_GROUP']}".encode())
            break
        except OSError:
            time.sleep(0.05)
    else:
        raise SystemExit("no head")
    print(f"worker rank {rank} joined", flush=True)
`;

let fx: PlatformFixture;
let workingDir: string;

beforeAll(async () => {
  fx = await startPlatform();
  workingDir = await homeFolder(fx.workRoot, 'alice', 'modes', { 'ps_worker.py': PS_WORKER_PY, 'ray.py': RAY_PY });
});
afterAll(() => fx?.close());

const small = { cpu: 0.1, memory: '64Mi' };

describe('every mode gets its variables', () => {
  it('mpi: mpirun runs one rank per slot of the generated hostfile; NODE_IP_SLOT_LIST lists the nodes', async () => {
    const client = fx.client();
    const command = [
      'echo "slots $NODE_IP_SLOT_LIST"',
      'if [ "$INDEX" = 0 ]; then',
      '  mpirun --allow-run-as-root -np 2 --hostfile "$OMPI_MCA_orte_default_hostfile" \\',
      '    sh -c \'echo "mpi rank $OMPI_COMM_WORLD_RANK of $OMPI_COMM_WORLD_SIZE"\'',
      'fi',
    ].join('\n');
    const created = await client.createJob({
      body: { spec: { name: 'mpi-hostfile', mode: 'mpi', command, workingDir, nodes: 2, resources: small } },
    });
    const job = await waitForJob(client, created.id);
    const logs = await programOutput(client, job.id);
    expect(job.state, JSON.stringify(logs)).toBe('Succeeded');
    expect(logs[0]).toContain('slots 127.0.0.1:1,127.0.0.1:1');
    expect(logs[0]?.filter((l) => l.startsWith('mpi rank')).sort()).toEqual(['mpi rank 0 of 2', 'mpi rank 1 of 2']);
    const env = await client.jobEnv({ params: { id: job.id } });
    for (const instance of env.instances) {
      expect(instance.env.OMPI_MCA_orte_default_hostfile).toMatch(/hostfile$/);
      expect(instance.env.NODE_IP_SLOT_LIST).toBe('127.0.0.1:1,127.0.0.1:1');
    }
  });

  it('ps-worker: 2 ps and 3 workers meet at the addresses of TF_CONFIG', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: {
          name: 'ps-worker',
          mode: 'ps-worker',
          command: `${PYTHON} ps_worker.py`,
          workingDir,
          ps: 2,
          workers: 3,
          resources: small,
        },
      },
    });
    expect(created.instances.map((i) => i.name)).toEqual(['ps-0', 'ps-1', 'worker-0', 'worker-1', 'worker-2']);
    const job = await waitForJob(client, created.id);
    const logs = await programOutput(client, job.id);
    expect(job.state, JSON.stringify(logs)).toBe('Succeeded');
    expect(logs[0]).toEqual(['ps 0 heard worker0,worker1,worker2']);
    expect(logs[1]).toEqual(['ps 1 heard worker0,worker1,worker2']);
    expect(logs[4]).toEqual(['worker 2 reported to 2 ps']);
    const env = await client.jobEnv({ params: { id: job.id } });
    const configs = env.instances.map((i) => JSON.parse(i.env.TF_CONFIG ?? '{}') as { task: unknown });
    expect(configs.map((c) => c.task)).toEqual([
      { type: 'ps', index: 0 },
      { type: 'ps', index: 1 },
      { type: 'worker', index: 0 },
      { type: 'worker', index: 1 },
      { type: 'worker', index: 2 },
    ]);
  });

  it('ray: workers of two groups reach the head at HEAD_ADDR:HEAD_PORT with their RANK', async () => {
    const client = fx.client();
    const created = await client.createJob({
      body: {
        spec: {
          name: 'ray-job',
          mode: 'ray',
          command: `${PYTHON} ray.py`,
          workingDir,
          env: { EXPECTED_WORKERS: '3' },
          head: { resources: small },
          workerGroups: [
            { name: 'cpu', replicas: 2, resources: small },
            { name: 'big', replicas: 1, resources: small },
          ],
        },
      },
    });
    const job = await waitForJob(client, created.id);
    const logs = await programOutput(client, job.id);
    expect(job.state, JSON.stringify(logs)).toBe('Succeeded');
    expect(logs[0]).toEqual(['head saw 1:cpu,2:cpu,3:big']);
    const env = await client.jobEnv({ params: { id: job.id } });
    expect(env.instances.map((i) => [i.name, i.env.RANK, i.env.HEAD_ADDR])).toEqual([
      ['head-0', '0', '127.0.0.1'],
      ['ray-worker-0', '1', '127.0.0.1'],
      ['ray-worker-1', '2', '127.0.0.1'],
      ['ray-worker-2', '3', '127.0.0.1'],
    ]);
  });
});
