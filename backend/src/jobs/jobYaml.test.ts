import { describe, expect, it } from 'vitest';
import { jobSpecToYaml, parseJobYaml, specFromCreateBody, type JobSpec, type JobYamlResult } from '@aiplat/api';

/** The job.yaml of the training issue, verbatim. */
const ISSUE_YAML = `name: mnist-ddp
mode: ddp                  # ddp | mpi | horovod | ray | ps-worker
command: |
  torchrun --nnodes $WORLD_SIZE --node_rank $RANK --master_addr $MASTER_ADDR \\
           --master_port $MASTER_PORT --nproc_per_node 1 train.py
workingDir: home/mnist     # relative to /work
image: pytorch:2.3         # used by the Kubernetes engine
nodes: 2
resources: { cpu: 1, memory: 2Gi, accelerator: { type: none, count: 0 } }
env: { EPOCHS: "2" }
hyperparameters: { lr: 0.01 }
autoRestart: { maxRestarts: 0 }
priority: 0
queue: default
`;

function specOf(result: JobYamlResult): JobSpec {
  if ('errors' in result) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.spec;
}

function errorsOf(result: JobYamlResult) {
  if ('spec' in result) throw new Error('expected errors, got a spec');
  return result.errors;
}

describe('parseJobYaml', () => {
  it("parses the issue's example to the expected spec", () => {
    expect(specOf(parseJobYaml(ISSUE_YAML))).toEqual({
      name: 'mnist-ddp',
      mode: 'ddp',
      command:
        'torchrun --nnodes $WORLD_SIZE --node_rank $RANK --master_addr $MASTER_ADDR \\\n' +
        '         --master_port $MASTER_PORT --nproc_per_node 1 train.py\n',
      workingDir: 'home/mnist',
      image: 'pytorch:2.3',
      nodes: 2,
      resources: { cpu: 1, memory: '2Gi', accelerator: { type: 'none', count: 0 } },
      env: { EPOCHS: '2' },
      hyperparameters: { lr: 0.01 },
      autoRestart: { maxRestarts: 0 },
      priority: 0,
      queue: 'default',
      tags: {},
    });
  });

  it('reports a syntax error with its line and column', () => {
    const errors = errorsOf(parseJobYaml('name: a\nresources: { cpu: 1\nmode: ddp\n'));
    expect(errors[0]?.path).toBe('(root)');
    expect(errors[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
  });

  it('reports a duplicate key with its line', () => {
    const errors = errorsOf(parseJobYaml('name: a\nname: b\n'));
    expect(errors[0]?.message).toMatch(/line 2, column 1/);
  });

  it('names the field of a schema error, with its line', () => {
    const errors = errorsOf(parseJobYaml(ISSUE_YAML.replace('count: 0 }', 'count: 1.5 }')));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('resources.accelerator.count');
    expect(errors[0]?.message).toMatch(/whole devices.*\(line 9\)$/);
  });

  it('refuses an empty file and a file that is not a mapping', () => {
    expect(errorsOf(parseJobYaml(''))[0]?.message).toMatch(/empty/);
    expect(errorsOf(parseJobYaml('- a\n- b\n'))[0]?.message).toMatch(/mapping of fields/);
  });

  it('refuses a file above the size bound', () => {
    expect(errorsOf(parseJobYaml(`# ${'x'.repeat(300 * 1024)}\n`))[0]?.message).toMatch(/longer than/);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++)
      lines.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(', ')}]`,
      );
    const errors = errorsOf(parseJobYaml(`hyperparameters:\n${lines.map((l) => `  ${l}`).join('\n')}\n`));
    expect(errors[0]?.message).toMatch(/YAML/);
  });
});

describe('jobSpecToYaml', () => {
  const specs: Record<string, string> = {
    issue: ISSUE_YAML,
    'ps-worker with psResources, tags and description': `
name: 推荐-ps
description: "wide & deep: two ps, four workers"
tags: { team: 推荐, version: "3" }
mode: ps-worker
command: python3 train.py --ps
ps: 2
workers: 4
resources: { cpu: 2.5, memory: 4Gi, accelerator: { type: nvidia, count: 0.5 } }
psResources: { cpu: 1, memory: 1073741824 }
engine: kubernetes
`,
    'ray with worker groups and nested hyperparameters': `
name: ray-tune
mode: ray
command: |
  set -e
    indented line
  python3 tune.py  # comment-like text stays
head: { resources: { cpu: 1, memory: 1Gi } }
workerGroups:
  - name: cpu
    replicas: 3
    resources: { cpu: 4, memory: 8Gi }
  - name: gpu
    resources: { cpu: 8, memory: 64Gi, accelerator: { type: ascend, count: 8 } }
hyperparameters:
  optimizer: { name: adam, betas: [0.9, 0.999] }
  layers: [64, 64]
  note: "yes"
env: { ON: "true", EMPTY: "" }
priority: 9
queue: gpu-pool
`,
    'a command without a trailing newline': `name: n\nmode: mpi\ncommand: "mpirun -np 2 python3 a.py\\n  --flag"\nresources: { cpu: 1, memory: 1Gi }\n`,
  };

  for (const [label, yaml] of Object.entries(specs)) {
    it(`round-trips spec -> YAML -> spec: ${label}`, () => {
      const spec = specOf(parseJobYaml(yaml));
      const text = jobSpecToYaml(spec);
      expect(specOf(parseJobYaml(text))).toEqual(spec);
    });
  }

  it("writes the issue's layout: literal command, resources on one line, defaults spelled out", () => {
    const text = jobSpecToYaml(specOf(parseJobYaml(ISSUE_YAML)));
    expect(text).toContain('command: |\n  torchrun --nnodes');
    expect(text).toContain('resources: { cpu: 1, memory: 2Gi, accelerator: { type: none, count: 0 } }');
    expect(text.indexOf('name:')).toBe(0);
    expect(text.indexOf('mode:')).toBeLessThan(text.indexOf('command:'));
    expect(text).toContain('priority: 0');
    expect(text).not.toContain('tags:');
  });
});

describe('specFromCreateBody', () => {
  it('passes a JSON spec through and puts YAML issues under yaml.', () => {
    const spec = specOf(parseJobYaml(ISSUE_YAML));
    expect(specFromCreateBody({ spec })).toEqual({ spec });
    expect(specOf(specFromCreateBody({ yaml: ISSUE_YAML }))).toEqual(spec);
    const errors = errorsOf(specFromCreateBody({ yaml: ISSUE_YAML.replace('priority: 0', 'priority: 10') }));
    expect(errors.map((e) => e.path)).toEqual(['yaml.priority']);
    expect(errorsOf(specFromCreateBody({ yaml: 'a: [' }))[0]?.path).toBe('yaml');
  });
});
