import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { SchedulerNode } from '../scheduler/types.js';
import {
  CapacityConfigError,
  EngineCapacityConfigSchema,
  QueuesConfigSchema,
  VirtualNodesConfigSchema,
  engineNodes,
  schedulerQueues,
  virtualNodes,
} from './config.js';

const GIB = 2 ** 30;

/** Each issue as `path: message`, the way the backend's config loader prints them. */
function problems(schema: z.ZodType, input: unknown): string[] {
  const result = schema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

const node = (name: string): SchedulerNode => ({
  name,
  cpu: 4,
  memoryBytes: 8 * GIB,
  accelerator: { type: 'none', count: 0 },
});

describe('EngineCapacityConfigSchema', () => {
  it('parses {} to this machine alone with one queue default', () => {
    expect(EngineCapacityConfigSchema.parse({})).toEqual({
      virtualNodes: [],
      queues: [{ name: 'default', policy: 1, preemption: true }],
      includeLocalMachine: true,
    });
  });

  it('parses 2 virtual nodes x 8 GPUs with memory as a quantity or bytes', () => {
    const config = EngineCapacityConfigSchema.parse({
      virtualNodes: [
        { name: 'gpu', count: 2, cpu: 96, memory: '1Ti', accelerator: { type: 'nvidia', count: 8 } },
        { cpu: 8, memory: 34359738368 },
      ],
      queues: [
        { name: 'train', policy: 0, nodes: ['gpu-0', 'gpu-1'] },
        { name: 'dev', nodes: ['local', 'virtual-0'] },
      ],
    });
    expect(config.virtualNodes).toEqual([
      { name: 'gpu', count: 2, cpu: 96, memory: 2 ** 40, accelerator: { type: 'nvidia', count: 8 } },
      { name: 'virtual', count: 1, cpu: 8, memory: 32 * GIB, accelerator: { type: 'none', count: 0 } },
    ]);
    expect(config.queues).toEqual([
      { name: 'train', policy: 0, nodes: ['gpu-0', 'gpu-1'], preemption: true },
      { name: 'dev', policy: 1, nodes: ['local', 'virtual-0'], preemption: true },
    ]);
  });

  it('says what to fix in a bad virtual node', () => {
    expect(
      problems(EngineCapacityConfigSchema, {
        virtualNodes: [
          { name: 'GPU nodes', count: 0, cpu: 0.5, memory: '64GB', accelerator: { type: 'cuda', count: 8 } },
        ],
      }),
    ).toEqual([
      'virtualNodes.0.name: name must be 1-50 lowercase letters, digits or -, starting and ending with a letter or digit (got "GPU nodes")',
      'virtualNodes.0.count: count must be a whole number from 1 to 1000 (got 0)',
      'virtualNodes.0.cpu: cpu must be a whole number from 1 to 4096 (got 0.5)',
      'virtualNodes.0.memory: memory must be a Kubernetes quantity such as 512Mi, 2Gi or 1G, or a number of bytes (got "64GB")',
      'virtualNodes.0.accelerator.type: type must be nvidia, ascend or none (got "cuda")',
    ]);
    expect(problems(VirtualNodesConfigSchema, [{ cpu: 4 }])).toEqual(['0.memory: memory is required']);
    expect(problems(VirtualNodesConfigSchema, [{ cpu: 4, memory: 1024 }])).toEqual([
      '0.memory: memory 1024 is below 1M; a bare number counts bytes, so write 512Mi for 512 mebibytes',
    ]);
    expect(problems(VirtualNodesConfigSchema, [{ cpu: 4, memory: '8Gi', gpus: 8 }])).toEqual([
      '0: unknown field "gpus"; the fields of a virtual node entry are name, count, cpu, memory, accelerator',
    ]);
    expect(
      problems(VirtualNodesConfigSchema, [{ cpu: 4, memory: '8Gi', accelerator: { type: 'none', count: 2 } }]),
    ).toEqual(['0.accelerator.count: accelerator type none has count 0; write type nvidia or ascend for 2 devices']);
    expect(
      problems(VirtualNodesConfigSchema, [{ cpu: 4, memory: '8Gi', accelerator: { type: 'ascend', count: 0 } }]),
    ).toEqual([
      '0.accelerator.type: a node with 0 ascend devices is CPU-only: write type none (or leave accelerator out)',
    ]);
    expect(
      problems(VirtualNodesConfigSchema, [{ cpu: 4, memory: '8Gi', accelerator: { type: 'nvidia', count: 65 } }]),
    ).toEqual(['0.accelerator.count: count must be a whole number from 0 to 64 (got 65)']);
    expect(problems(VirtualNodesConfigSchema, { cpu: 4 })).toEqual([
      '(root): virtualNodes must be a list of { name, count, cpu, memory, accelerator } (got {"cpu":4})',
    ]);
  });

  it('rejects virtual node names that clash with each other or with local', () => {
    expect(
      problems(VirtualNodesConfigSchema, [
        { cpu: 4, memory: '8Gi', count: 2 },
        { cpu: 8, memory: '16Gi' },
        { name: 'local', cpu: 1, memory: '1Gi' },
      ]),
    ).toEqual([
      '1.name: entries 0 and 1 both make a node named virtual-0; give each entry its own name',
      '2.name: name "local" is this machine\'s node; pick another name',
    ]);
  });

  it('says what to fix in bad queues', () => {
    expect(
      problems(EngineCapacityConfigSchema, {
        queues: [
          { name: 'a b', policy: 3 },
          { name: 'x', nodes: [], preemption: 'yes' },
          { name: 'x', nodes: ['local', 'virtul-0'] },
        ],
        virtualNodes: [{ cpu: 2, memory: '4Gi' }],
      }),
    ).toEqual([
      'queues.0.name: queue name "a b" must be 1-63 letters, digits, _, . or -, starting and ending with a letter or digit',
      'queues.0.policy: policy must be 0 (strict FIFO), 1 (backfill within a priority) or 2 (backfill over the whole queue) (got 3)',
      'queues.1.nodes: nodes is empty: leave it out to let the queue use every node',
      'queues.1.preemption: preemption must be true or false (got "yes")',
    ]);
    expect(problems(QueuesConfigSchema, [{ name: 'x' }, { name: 'x' }])).toEqual([
      '1.name: queue "x" is declared twice; queue names must be unique',
    ]);
    expect(problems(QueuesConfigSchema, [])).toEqual([
      '(root): queues is empty: jobs need at least one queue (leave queues out for one named default)',
    ]);
  });

  it('rejects a queue naming a node that does not exist, and a config without nodes', () => {
    expect(
      problems(EngineCapacityConfigSchema, {
        virtualNodes: [{ cpu: 2, memory: '4Gi' }],
        queues: [{ name: 'q', nodes: ['virtual-0', 'virtul-0'] }],
      }),
    ).toEqual([
      'queues.0.nodes.1: queue "q" names node "virtul-0", which does not exist; the nodes are local, virtual-0',
    ]);
    expect(
      problems(EngineCapacityConfigSchema, {
        includeLocalMachine: false,
        virtualNodes: [{ cpu: 2, memory: '4Gi' }],
        queues: [{ name: 'q', nodes: ['local'] }],
      }),
    ).toEqual([
      'queues.0.nodes.0: queue "q" names node "local", but includeLocalMachine is false; remove it or set includeLocalMachine: true',
    ]);
    expect(problems(EngineCapacityConfigSchema, { includeLocalMachine: false })).toEqual([
      'includeLocalMachine: with includeLocalMachine false there are no nodes: declare virtualNodes or set includeLocalMachine: true',
    ]);
    expect(problems(EngineCapacityConfigSchema, { virtualNode: [] })).toEqual([
      '(root): unknown field "virtualNode"; the fields of the local engine settings are virtualNodes, queues, includeLocalMachine',
    ]);
  });
});

describe('virtualNodes', () => {
  it('expands each entry into <name>-0..n-1 with bytes of memory', () => {
    const config = VirtualNodesConfigSchema.parse([
      { name: 'gpu', count: 2, cpu: 64, memory: '512Gi', accelerator: { type: 'nvidia', count: 8 } },
      { cpu: 16, memory: '64Gi', accelerator: { type: 'ascend', count: 4 } },
    ]);
    expect(virtualNodes(config)).toEqual([
      { name: 'gpu-0', cpu: 64, memoryBytes: 512 * GIB, accelerator: { type: 'nvidia', count: 8 } },
      { name: 'gpu-1', cpu: 64, memoryBytes: 512 * GIB, accelerator: { type: 'nvidia', count: 8 } },
      { name: 'virtual-0', cpu: 16, memoryBytes: 64 * GIB, accelerator: { type: 'ascend', count: 4 } },
    ]);
    expect(virtualNodes([])).toEqual([]);
  });

  it('throws on clashing names even when handed an unparsed list', () => {
    const entry = { name: 'n', count: 1, cpu: 1, memory: GIB, accelerator: { type: 'none' as const, count: 0 } };
    expect(() => virtualNodes([entry, entry])).toThrow(CapacityConfigError);
  });
});

describe('schedulerQueues', () => {
  const nodes = [node('local'), node('virtual-0'), node('virtual-1')];

  it('gives a queue without nodes every node, and drops repeated names', () => {
    const queues = QueuesConfigSchema.parse([
      { name: 'all' },
      { name: 'some', policy: 2, nodes: ['virtual-1', 'virtual-1'], preemption: false },
    ]);
    expect(schedulerQueues(queues, nodes)).toEqual([
      { name: 'all', policy: 1, nodes: ['local', 'virtual-0', 'virtual-1'], preemption: true },
      { name: 'some', policy: 2, nodes: ['virtual-1'], preemption: false },
    ]);
    expect(schedulerQueues(QueuesConfigSchema.parse(undefined), nodes)).toEqual([
      { name: 'default', policy: 1, nodes: ['local', 'virtual-0', 'virtual-1'], preemption: true },
    ]);
  });

  it('throws a CapacityConfigError naming the unknown node and the known ones', () => {
    const queues = QueuesConfigSchema.parse([{ name: 'q', nodes: ['virtual-2'] }]);
    expect(() => schedulerQueues(queues, nodes)).toThrow(
      new CapacityConfigError(
        'queue "q" names node "virtual-2", which does not exist; the nodes are local, virtual-0, virtual-1',
      ),
    );
  });
});

describe('engineNodes', () => {
  it('puts the machine first when included, and only then', () => {
    const config = EngineCapacityConfigSchema.parse({ virtualNodes: [{ cpu: 2, memory: '4Gi' }] });
    expect(engineNodes(config, node('local')).map((n) => n.name)).toEqual(['local', 'virtual-0']);
    expect(engineNodes({ ...config, includeLocalMachine: false }, node('local')).map((n) => n.name)).toEqual([
      'virtual-0',
    ]);
  });
});
