import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { crdValidator, type CrdKind } from '../../../testing/src/kubernetes/crds/crdValidator.js';
import { runCli, type CliDeps } from './program.js';

/*
 * The CLI commands that need no server or cluster: `submit --engine kubernetes --dry-run` and
 * `kubernetes setup`. AIPLAT_SERVER points at a port nothing listens on, so any request would fail.
 */

let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(path.join(os.tmpdir(), 'aiplat-cli-k8s-'));
  await writeFile(
    path.join(cwd, 'job.yaml'),
    'name: mnist\nmode: ddp\ncommand: torchrun train.py\nnodes: 2\nresources: { cpu: 4, memory: 8Gi, accelerator: { type: nvidia, count: 2 } }\nqueue: a100\n',
  );
  await writeFile(
    path.join(cwd, 'backend.yaml'),
    [
      'kubernetes:',
      '  namespace: team-{user}',
      '  queues:',
      '    a100:',
      '      policy: 2',
      '      nodeSelector: { gpu: a100 }',
      '      tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]',
      '    cpu: { policy: 0 }',
      '',
    ].join('\n'),
  );
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

async function aiplat(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const deps: CliDeps = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { AIPLAT_SERVER: 'http://127.0.0.1:1', USER: 'Alice.Smith', ...env },
    cwd,
  };
  const code = await runCli(args, deps);
  expect(stderr, 'never a stack trace').not.toMatch(/^\s+at /m);
  return { code, stdout, stderr };
}

function objects(text: string): { kind: string; metadata: { name: string; namespace?: string } }[] {
  return parseAllDocuments(text).map((d) => d.toJS() as never);
}

describe('aiplat submit --engine kubernetes --dry-run', () => {
  it('prints the manifests as a YAML stream, with the config of --config and the user of $USER', async () => {
    const run = await aiplat([
      'submit',
      '-f',
      'job.yaml',
      '--engine',
      'kubernetes',
      '--dry-run',
      '--config',
      'backend.yaml',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const docs = objects(run.stdout);
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'TrainJob']);
    // $USER Alice.Smith is user alice_smith, whose namespace cannot hold the `_`.
    expect(docs[0]?.metadata.namespace).toMatch(/^team-alice-smith-[0-9a-f]{6}$/);
    expect(docs[1]?.metadata.namespace).toBe(docs[0]?.metadata.namespace);
    expect(run.stdout).toContain('gpu: a100');
    expect(run.stdout).toContain('kueue.x-k8s.io/priority-class: p5');
  });

  it('reads the config from AIPLAT_CONFIG and takes --user', async () => {
    const run = await aiplat(['submit', '-f', 'job.yaml', '--engine', 'kubernetes', '--dry-run', '--user', 'bob'], {
      AIPLAT_CONFIG: path.join(cwd, 'backend.yaml'),
    });
    expect(run.code).toBe(0);
    expect(objects(run.stdout)[1]?.metadata.namespace).toBe('team-bob');
  });

  it('fails with the field to fix, as the server would, and prints no manifests', async () => {
    const unknownQueue = await aiplat(['submit', '-f', 'job.yaml', '--engine', 'kubernetes', '--dry-run']);
    expect(unknownQueue.code).toBe(1);
    expect(unknownQueue.stdout).toBe('');
    expect(unknownQueue.stderr).toMatch(/^error: this job cannot run on the Kubernetes engine$/m);
    expect(unknownQueue.stderr).toContain('  queue: one of default');

    const bad = await aiplat(['submit', '-f', 'job.yaml', '--engine', 'kubernetes', '--dry-run', '--set', 'nodes=0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}nodes: nodes must be a whole number/m);
  });

  it('asks for --engine kubernetes', async () => {
    const run = await aiplat(['submit', '-f', 'job.yaml', '--dry-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--dry-run prints Kubernetes manifests: add --engine kubernetes');
    const config = await aiplat([
      'submit',
      '-f',
      'job.yaml',
      '--engine',
      'kubernetes',
      '--dry-run',
      '--config',
      'nope.yaml',
    ]);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/cannot read the config file nope.yaml: no such file/);
  });
});

describe('aiplat kubernetes setup', () => {
  it('prints valid Kueue objects, LocalQueues in the namespaces given', async () => {
    const run = await aiplat([
      'kubernetes',
      'setup',
      '--config',
      'backend.yaml',
      '--namespace',
      'team-a',
      '--namespace',
      'team-b',
      '--quota',
      'nvidia.com/gpu=16',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const docs = objects(run.stdout);
    for (const doc of docs) {
      expect(crdValidator(doc.kind as CrdKind, 'v1beta2').validate(doc)).toEqual({ valid: true, errors: [] });
    }
    expect(docs.filter((d) => d.kind === 'WorkloadPriorityClass')).toHaveLength(10);
    expect(docs.filter((d) => d.kind === 'ClusterQueue').map((d) => d.metadata.name)).toEqual(['a100', 'cpu']);
    expect(
      docs.filter((d) => d.kind === 'LocalQueue').map((d) => `${d.metadata.namespace}/${d.metadata.name}`),
    ).toEqual(['team-a/a100', 'team-a/cpu', 'team-b/a100', 'team-b/cpu']);
    expect(run.stdout).toMatch(/name: nvidia.com\/gpu\n\s+nominalQuota: "16"/);
  });

  it("defaults to the user's namespace and rejects a malformed quota", async () => {
    const run = await aiplat(['kubernetes', 'setup', '--config', 'backend.yaml', '--user', 'carol']);
    expect(run.code).toBe(0);
    expect(objects(run.stdout).filter((d) => d.kind === 'LocalQueue')[0]?.metadata.namespace).toBe('team-carol');
    const bad = await aiplat(['kubernetes', 'setup', '--quota', 'gpus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--quota takes name=quantity');
    expect(bad.stderr).toContain('run "aiplat kubernetes setup --help" for usage');
    await writeFile(path.join(cwd, 'bad.yaml'), 'kubernetes:\n  queues: { GPU: {} }\n');
    const invalid = await aiplat(['kubernetes', 'setup', '--config', 'bad.yaml']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(
      /the config file bad.yaml is not usable: invalid configuration:\n {2}kubernetes.queues.GPU: /,
    );
  });
});

describe('aiplat dev create --engine kubernetes --dry-run', () => {
  it('prints the Secret, Service, NetworkPolicy and StatefulSet as a YAML stream, with no secret value in them', async () => {
    const run = await aiplat([
      'dev',
      'create',
      'lab',
      '--engine',
      'kubernetes',
      '--queue',
      'a100',
      '--accelerator',
      'nvidia:1',
      '--image',
      'registry.example.com/aiplat/devmachine:1',
      '--dry-run',
      '--config',
      'backend.yaml',
      '--user',
      'bob',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const docs = objects(run.stdout);
    expect(docs.map((d) => d.kind)).toEqual(['Secret', 'Service', 'NetworkPolicy', 'StatefulSet']);
    expect(docs.every((d) => d.metadata.namespace === 'team-bob')).toBe(true);
    expect(run.stdout).toContain('kueue.x-k8s.io/queue-name: a100');
    expect(run.stdout).toContain('gpu: a100');
    expect(run.stdout).toContain('<made when it starts>');
  });

  it('says what to fix: no --engine kubernetes, no image, an unknown queue', async () => {
    const local = await aiplat(['dev', 'create', 'lab', '--dry-run']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toContain('--dry-run prints Kubernetes objects: add --engine kubernetes');
    const noImage = await aiplat([
      'dev',
      'create',
      'lab',
      '--engine',
      'kubernetes',
      '--queue',
      'a100',
      '--dry-run',
      '--config',
      'backend.yaml',
    ]);
    expect(noImage.code).toBe(1);
    expect(noImage.stderr).toContain('image is required for dev machines on the Kubernetes engine');
    const queue = await aiplat([
      'dev',
      'create',
      'lab',
      '--engine',
      'kubernetes',
      '--image',
      'x:1',
      '--dry-run',
      '--config',
      'backend.yaml',
    ]);
    expect(queue.code).toBe(1);
    expect(queue.stderr).toContain('queue default is not configured for the Kubernetes engine');
    expect(queue.stdout).toBe('');
  });
});
