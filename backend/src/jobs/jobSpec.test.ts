import { describe, expect, it } from 'vitest';
import {
  canTransition,
  CreateJobBodySchema,
  instanceCount,
  instanceGroups,
  issuesFromZod,
  JOB_STATES,
  JOB_TRANSITIONS,
  JobListQuerySchema,
  JobSchema,
  JobSpecSchema,
  parseMemory,
  type JobSpec,
} from '@aiplat/api';

const ddp = {
  name: 'mnist-ddp',
  mode: 'ddp',
  command: 'python3 train.py',
  nodes: 2,
  resources: { cpu: 1, memory: '2Gi', accelerator: { type: 'none', count: 0 } },
};
const psWorker = {
  name: 'wide-deep',
  mode: 'ps-worker',
  command: 'python3 train.py',
  ps: 1,
  workers: 2,
  resources: { cpu: 1, memory: '1Gi' },
};
const rayGroup = (name: string) => ({ name, replicas: 1, resources: { cpu: 1, memory: '1Gi' } });
const ray = {
  name: 'ray-tune',
  mode: 'ray',
  command: 'python3 tune.py',
  head: { resources: { cpu: 1, memory: '1Gi' } },
  workerGroups: [rayGroup('cpu')],
};

function parse(input: unknown) {
  const result = JobSpecSchema.safeParse(input);
  return result.success ? { spec: result.data, issues: [] } : { spec: undefined, issues: issuesFromZod(result.error) };
}

function withResources(patch: Record<string, unknown>) {
  return { ...ddp, resources: { ...ddp.resources, ...patch } };
}
function withAccelerator(type: string, count: unknown) {
  return withResources({ accelerator: { type, count } });
}

describe('JobSpecSchema accepts', () => {
  it.each([
    [
      'the minimal ddp spec, defaults filled',
      { name: 'a', mode: 'ddp', command: 'x', resources: { cpu: 1, memory: '1Gi' } },
    ],
    ['a Chinese name', { ...ddp, name: '手写数字-训练_1' }],
    ['a name of exactly 60 characters', { ...ddp, name: 'a'.repeat(60) }],
    ['a name starting with a digit', { ...ddp, name: '1st-run' }],
    ['a share of a GPU (0.5)', withAccelerator('nvidia', 0.5)],
    ['a share of 0.1', withAccelerator('nvidia', 0.1)],
    ['a whole device (1)', withAccelerator('ascend', 1)],
    ['8 devices', withAccelerator('nvidia', 8)],
    ['fractional cpu', withResources({ cpu: 0.25 })],
    ['memory as bytes', withResources({ memory: 1073741824 })],
    ['a command of 8192 characters', { ...ddp, command: 'x'.repeat(8192) }],
    ['maxRestarts 10', { ...ddp, autoRestart: { maxRestarts: 10 } }],
    ['priority 0 and 9', { ...ddp, priority: 9 }],
    ['mpi and horovod with nodes', { ...ddp, mode: 'horovod' }],
    ['deepspeed with nodes', { ...ddp, mode: 'deepspeed' }],
    ['ps-worker', psWorker],
    ['ray with 5 worker groups', { ...ray, workerGroups: ['a', 'b', 'c', 'd', 'e'].map(rayGroup) }],
    ['ray with no worker group', { ...ray, workerGroups: [] }],
    ['user env', { ...ddp, env: { EPOCHS: '2', _X: '', my_var9: 'v' } }],
    ['tags', { ...ddp, tags: { team: 'vision', 'k8s.io/app': '推荐' } }],
    ['engine kubernetes with an image', { ...ddp, engine: 'kubernetes', image: 'registry.local/pytorch:2.3' }],
  ])('%s', (_label, input) => {
    expect(parse(input).issues).toEqual([]);
  });

  it('fills the documented defaults', () => {
    const { spec } = parse({ name: 'a', mode: 'ddp', command: 'x', resources: { cpu: 1, memory: '1Gi' } });
    expect(spec).toEqual({
      name: 'a',
      mode: 'ddp',
      command: 'x',
      nodes: 1,
      resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
      workingDir: 'home',
      tags: {},
      env: {},
      hyperparameters: {},
      autoRestart: { maxRestarts: 0 },
      priority: 5,
      queue: 'default',
    });
  });
});

describe('JobSpecSchema refuses, naming the field', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a name over 60 characters', { ...ddp, name: 'a'.repeat(61) }, 'name', /61 characters; at most 60/],
    ['a name starting with -', { ...ddp, name: '-run' }, 'name', /start with a letter or digit/],
    ['a name starting with _', { ...ddp, name: '_run' }, 'name', /start with a letter or digit/],
    ['a name with a space', { ...ddp, name: 'my run' }, 'name', /" " is not allowed/],
    ['a name with a dot', { ...ddp, name: 'v1.2' }, 'name', /"\." is not allowed/],
    ['an empty name', { ...ddp, name: '' }, 'name', /empty/],
    ['a missing name', { ...ddp, name: undefined }, 'name', /name is required/],
    ['a description over 500', { ...ddp, description: 'd'.repeat(501) }, 'description', /500/],
    [
      'a missing mode',
      { ...ddp, mode: undefined },
      'mode',
      /mode is required: one of ddp, mpi, horovod, deepspeed, ray, ps-worker/,
    ],
    ['an unknown mode', { ...ddp, mode: 'megatron' }, 'mode', /got "megatron"/],
    ['a command over 8192', { ...ddp, command: 'x'.repeat(8193) }, 'command', /8193 characters; at most 8192/],
    ['a blank command', { ...ddp, command: '  \n ' }, 'command', /empty/],
    ['an absolute workingDir', { ...ddp, workingDir: '/work/home/mnist' }, 'workingDir', /write "home\/mnist"/],
    ['a workingDir escaping', { ...ddp, workingDir: 'home/../etc' }, 'workingDir', /\.\./],
    ['a workingDir outside the roots', { ...ddp, workingDir: 'etc' }, 'workingDir', /home, cache, mount/],
    ['a share of 0.05', withAccelerator('nvidia', 0.05), 'resources.accelerator.count', /too small a share.*0\.1 to 1/],
    ['1.5 devices', withAccelerator('nvidia', 1.5), 'resources.accelerator.count', /whole devices/],
    ['a negative count', withAccelerator('nvidia', -1), 'resources.accelerator.count', /got -1/],
    ['a count with type none', withAccelerator('none', 1), 'resources.accelerator.count', /type none takes count 0/],
    ['a GPU type with count 0', withAccelerator('nvidia', 0), 'resources.accelerator.count', /at least 0\.1/],
    ['an unknown accelerator', withAccelerator('tpu', 1), 'resources.accelerator.type', /nvidia, ascend or none/],
    ['cpu 0', withResources({ cpu: 0 }), 'resources.cpu', /greater than 0/],
    ['cpu as text', withResources({ cpu: '500m' }), 'resources.cpu', /must be a number of cores/],
    [
      'cpu finer than a millicore',
      withResources({ cpu: 0.0005 }),
      'resources.cpu',
      /multiple of 0\.001 CPU \(1 millicore\)/,
    ],
    ['memory abc', withResources({ memory: 'abc' }), 'resources.memory', /Kubernetes quantity/],
    ['memory 2GB', withResources({ memory: '2GB' }), 'resources.memory', /Kubernetes quantity/],
    ['memory of 512 bytes', withResources({ memory: 512 }), 'resources.memory', /write 512Mi/],
    ['missing memory', withResources({ memory: undefined }), 'resources.memory', /memory is required/],
    ['missing resources', { ...ddp, resources: undefined }, 'resources', /required/],
    ['maxRestarts 11', { ...ddp, autoRestart: { maxRestarts: 11 } }, 'autoRestart.maxRestarts', /0 to 10 \(got 11\)/],
    ['priority 10', { ...ddp, priority: 10 }, 'priority', /0 to 9 \(0 is the highest\) \(got 10\)/],
    ['priority -1', { ...ddp, priority: -1 }, 'priority', /0 to 9/],
    ['priority 1.5', { ...ddp, priority: 1.5 }, 'priority', /whole number/],
    ['nodes 0', { ...ddp, nodes: 0 }, 'nodes', /1 to 1024/],
    ['nodes 2000', { ...ddp, nodes: 2000 }, 'nodes', /1 to 1024/],
    ['nodes for ps-worker', { ...psWorker, nodes: 2 }, 'nodes', /nodes is for ddp, mpi, horovod and deepspeed/],
    ['workers for ddp', { ...ddp, workers: 2 }, 'workers', /workers is for ps-worker/],
    ['workerGroups for ddp', { ...ddp, workerGroups: [] }, 'workerGroups', /for ray jobs/],
    ['resources for ray', { ...ray, resources: ddp.resources }, 'resources', /head\.resources/],
    ['ps 0', { ...psWorker, ps: 0 }, 'ps', /1 to 1024/],
    ['ps + workers over 1024', { ...psWorker, ps: 24, workers: 1001 }, 'workers', /1025 instances/],
    [
      'more than 5 ray worker groups',
      { ...ray, workerGroups: ['a', 'b', 'c', 'd', 'e', 'f'].map(rayGroup) },
      'workerGroups',
      /6 worker groups; a ray job has at most 5/,
    ],
    ['a ray job without head', { ...ray, head: undefined }, 'head', /required/],
    [
      'a duplicate group name',
      { ...ray, workerGroups: [rayGroup('a'), rayGroup('a')] },
      'workerGroups.1.name',
      /twice/,
    ],
    ['an upper-case group name', { ...ray, workerGroups: [rayGroup('GPU')] }, 'workerGroups.0.name', /lowercase/],
    [
      'env overriding RANK',
      { ...ddp, env: { RANK: '3' } },
      'env.RANK',
      /RANK is set by the platform.*cannot be overridden/,
    ],
    ['env overriding NODE_LIST', { ...ddp, env: { NODE_LIST: 'x' } }, 'env.NODE_LIST', /set by the platform/],
    ['env overriding MASTER_ADDR', { ...ddp, env: { MASTER_ADDR: 'x' } }, 'env.MASTER_ADDR', /set by the platform/],
    ['env with the AIPLAT_ prefix', { ...ddp, env: { AIPLAT_X: 'x' } }, 'env.AIPLAT_X', /set by the platform/],
    ['an invalid env name', { ...ddp, env: { '1X': 'x' } }, 'env.1X', /not a valid variable name/],
    ['an env name with -', { ...ddp, env: { 'MY-VAR': 'x' } }, 'env.MY-VAR', /not a valid variable name/],
    ['a number as env value', { ...ddp, env: { EPOCHS: 2 } }, 'env.EPOCHS', /quote numbers, e.g. EPOCHS: "2"/],
    [
      'hyperparameters over 64 KiB',
      { ...ddp, hyperparameters: { blob: 'x'.repeat(70_000) } },
      'hyperparameters',
      /65536/,
    ],
    ['hyperparameters as a list', { ...ddp, hyperparameters: [1, 2] }, 'hyperparameters', /mapping/],
    ['a non-JSON hyperparameter', { ...ddp, hyperparameters: { lr: Infinity } }, 'hyperparameters.lr', /JSON/],
    [
      'too many tags',
      { ...ddp, tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) },
      'tags',
      /at most 20/,
    ],
    ['a tag key with =', { ...ddp, tags: { 'a=b': 'x' } }, 'tags.a=b', /tag key/],
    ['a queue with spaces', { ...ddp, queue: 'my queue' }, 'queue', /1-63 letters/],
    ['an unknown engine', { ...ddp, engine: 'slurm' }, 'engine', /.+/],
    ['an image with spaces', { ...ddp, image: 'a b' }, 'image', /without spaces/],
    ['a misspelt field', { ...ddp, working_dir: 'home' }, 'working_dir', /did you mean "workingDir"/],
    ['an unknown field', { ...ddp, gpus: 1 }, 'gpus', /unknown field "gpus"/],
    ['an unknown resources field', withResources({ gpu: 1 }), 'resources.gpu', /unknown field/],
  ])('%s', (_label, input, path, message) => {
    const { issues } = parse(input);
    expect(issues.map((i) => i.path)).toContain(path);
    const issue = issues.find((i) => i.path === path);
    expect(issue?.message).toMatch(message);
  });

  it('refuses a spec that is not an object', () => {
    expect(parse('name: a').issues).toEqual([
      { path: '(root)', message: expect.stringMatching(/mapping of fields/) as unknown as string },
    ]);
  });

  it('reports every problem at once', () => {
    const { issues } = parse({ ...ddp, name: '-x', priority: 10, env: { RANK: '1' } });
    expect(issues.map((i) => i.path).sort()).toEqual(['env.RANK', 'name', 'priority']);
  });
});

describe('parseMemory', () => {
  it.each<[string | number, number | undefined]>([
    ['2Gi', 2147483648],
    ['512Mi', 536870912],
    ['1G', 1e9],
    ['1.5Gi', 1610612736],
    ['100k', 100_000],
    ['1Ki', 1024],
    ['.5Mi', 524288],
    ['1073741824', 1073741824],
    [1073741824, 1073741824],
    [1.2, 2],
    ['abc', undefined],
    ['2GB', undefined],
    ['2gi', undefined],
    ['-1Gi', undefined],
    ['', undefined],
    ['1m', undefined],
    [-5, undefined],
    [Number.NaN, undefined],
  ])('%s -> %s', (input, bytes) => {
    expect(parseMemory(input)).toBe(bytes);
  });
});

describe('instanceGroups', () => {
  const spec = (input: unknown) => JobSpecSchema.parse(input);

  it('lists the instances of each mode in index order', () => {
    expect(instanceGroups(spec(ddp)).map((g) => [g.role, g.replicas])).toEqual([['node', 2]]);
    const ps = spec({ ...psWorker, psResources: { cpu: 4, memory: '8Gi' } });
    expect(instanceGroups(ps).map((g) => [g.role, g.replicas, g.resources.cpu])).toEqual([
      ['ps', 1, 4],
      ['worker', 2, 1],
    ]);
    const r = spec({ ...ray, workerGroups: [rayGroup('a'), { ...rayGroup('b'), replicas: 3 }] });
    expect(instanceGroups(r).map((g) => [g.role, g.group, g.replicas])).toEqual([
      ['head', undefined, 1],
      ['ray-worker', 'a', 1],
      ['ray-worker', 'b', 3],
    ]);
    expect(instanceCount(r)).toBe(5);
  });
});

describe('job states', () => {
  it.each<[string, string, boolean]>([
    ['Submitting', 'Queued', true],
    ['Queued', 'Starting', true],
    ['Starting', 'Running', true],
    ['Running', 'Succeeded', true],
    ['Running', 'Failed', true],
    ['Running', 'Stopping', true],
    ['Stopping', 'Stopped', true],
    ['Queued', 'Stopped', true],
    ['Running', 'Queued', true],
    ['Failed', 'Submitting', true],
    ['Succeeded', 'Running', false],
    ['Succeeded', 'Failed', false],
    ['Stopped', 'Running', false],
    ['Failed', 'Running', false],
    ['Queued', 'Running', false],
    ['Stopping', 'Running', false],
    ['Submitting', 'Running', false],
  ])('%s -> %s: %s', (from, to, allowed) => {
    expect(canTransition(from as never, to as never)).toBe(allowed);
  });

  it('has an entry for every state, naming only known states and never itself', () => {
    expect(Object.keys(JOB_TRANSITIONS).sort()).toEqual([...JOB_STATES].sort());
    for (const [from, targets] of Object.entries(JOB_TRANSITIONS)) {
      for (const to of targets) expect(JOB_STATES).toContain(to);
      expect(targets).not.toContain(from);
    }
  });

  it('parses a failed job with its reason', () => {
    const job = JobSchema.parse({
      id: 'j-1',
      spec: ddp,
      state: 'Failed',
      reason: { kind: 'exit-code', message: 'node-1 exited with 1', instance: 1, exitCode: 1 },
      user: 'alice',
      engine: 'local',
      createdAt: '2026-01-01T00:00:00.000Z',
      restarts: 0,
    });
    expect((job.spec as JobSpec).priority).toBe(5);
    expect(job.reason?.kind).toBe('exit-code');
  });
});

describe('requests', () => {
  it('reads the list filters from a query string', () => {
    expect(JobListQuerySchema.parse({ state: 'Running,Queued', tag: 'team=vision', mine: 'true' })).toEqual({
      state: ['Running', 'Queued'],
      tag: 'team=vision',
      mine: true,
      limit: 50,
    });
    const bad = JobListQuerySchema.safeParse({ state: 'Running,Sleeping' });
    expect(bad.success).toBe(false);
  });

  it('takes exactly one of spec and yaml to create a job', () => {
    expect(CreateJobBodySchema.safeParse({ spec: ddp }).success).toBe(true);
    expect(CreateJobBodySchema.safeParse({ yaml: 'name: a' }).success).toBe(true);
    for (const body of [{}, { spec: ddp, yaml: 'name: a' }]) {
      const result = CreateJobBodySchema.safeParse(body);
      expect(result.success).toBe(false);
      expect(issuesFromZod(result.error!, 'body')[0]?.path).toBe('body.spec');
    }
    const invalid = CreateJobBodySchema.safeParse({ spec: { ...ddp, priority: 10 } });
    expect(issuesFromZod(invalid.error!, 'body').map((i) => i.path)).toEqual(['body.spec.priority']);
  });
});
