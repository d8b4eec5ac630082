import { describe, expect, it } from 'vitest';
import { schedule } from './schedule.js';
import { seededRandom } from './seededRandom.js';
import type {
  AcceleratorType,
  InstanceRequest,
  JobRequest,
  PlacedInstance,
  QueuePolicy,
  RunningJob,
  ScheduleResult,
  SchedulerNode,
  SchedulerQueue,
  SchedulerState,
} from './types.js';

const GIB = 1024 ** 3;

function gpuNode(name: string, count = 8, type: AcceleratorType = 'nvidia'): SchedulerNode {
  return { name, cpu: 64, memoryBytes: 512 * GIB, accelerator: { type, count } };
}

function cpuNode(name: string, cpu = 16): SchedulerNode {
  return { name, cpu, memoryBytes: 64 * GIB, accelerator: { type: 'none', count: 0 } };
}

function queue(name: string, nodes: string[], policy: QueuePolicy = 2, preemption = false): SchedulerQueue {
  return { name, policy, nodes, preemption };
}

interface JobOptions {
  queue?: string;
  priority?: number;
  at?: number;
  cpu?: number;
  memoryGiB?: number;
  gpus?: number;
  type?: AcceleratorType;
  nodes?: number;
}

function job(id: string, options: JobOptions = {}): JobRequest {
  const gpus = options.gpus ?? 0;
  const instance: InstanceRequest = {
    cpu: options.cpu ?? 1,
    memoryBytes: (options.memoryGiB ?? 1) * GIB,
    accelerator: { type: gpus > 0 ? (options.type ?? 'nvidia') : 'none', count: gpus },
  };
  return {
    id,
    queue: options.queue ?? 'q',
    priority: options.priority ?? 5,
    submittedAt: options.at ?? 0,
    instances: Array.from({ length: options.nodes ?? 1 }, () => instance),
  };
}

/** A running job: one instance per [node, devices, share] (1 CPU, 1 GiB each). */
function running(
  id: string,
  priority: number,
  instances: [node: string, devices: number[], share?: number][],
  options: { queue?: string; at?: number } = {},
): RunningJob {
  return {
    id,
    queue: options.queue ?? 'q',
    priority,
    submittedAt: options.at ?? 0,
    instances: instances.map(([node, devices, share], index) => ({
      index,
      node,
      cpu: 1,
      memoryBytes: GIB,
      devices,
      deviceShare: devices.length > 0 ? (share ?? 1) : 0,
    })),
  };
}

function state(over: Partial<SchedulerState>): SchedulerState {
  return { nodes: [], queues: [], running: [], pending: [], ...over };
}

/** Started job ids with where their instances went: `id@node[devices]`. */
function started(result: ScheduleResult): string[] {
  return result.start.map(
    (p) =>
      `${p.jobId}@${p.instances.map((i) => `${i.node}${i.devices.length ? `[${i.devices.join(',')}]` : ''}`).join('+')}`,
  );
}

function waits(result: ScheduleResult): [string, number, string][] {
  return result.waiting.map((w) => [w.jobId, w.position, w.reason]);
}

describe('queue policies', () => {
  // One 8-CPU node; a (4 CPUs) fits, b (8 CPUs) does not, c (2 CPUs, same priority) and
  // d (2 CPUs, lower priority) could both fit behind it.
  const pending = [
    job('a', { cpu: 4, priority: 1, at: 1 }),
    job('b', { cpu: 8, priority: 1, at: 2 }),
    job('c', { cpu: 2, priority: 1, at: 3 }),
    job('d', { cpu: 2, priority: 2, at: 0 }),
  ];
  const short = 'needs 8 CPUs on one node; largest free is 4 on cpu-a';
  it.each([
    [
      0,
      ['a@cpu-a'],
      [
        ['b', 1, short],
        ['c', 2, 'behind job b (strict FIFO)'],
        ['d', 3, 'behind job b (strict FIFO)'],
      ],
    ],
    [
      1,
      ['a@cpu-a', 'c@cpu-a'],
      [
        ['b', 1, short],
        ['d', 2, 'behind job b of priority 1 (backfill only within a priority)'],
      ],
    ],
    [2, ['a@cpu-a', 'c@cpu-a', 'd@cpu-a'], [['b', 1, short]]],
  ] as const)('policy %i', (policy, start, waiting) => {
    const result = schedule(state({ nodes: [cpuNode('cpu-a', 8)], queues: [queue('q', ['cpu-a'], policy)], pending }));
    expect(started(result)).toEqual(start);
    expect(waits(result)).toEqual(waiting);
    expect(result.preempt).toEqual([]);
  });
});

describe('ordering', () => {
  it('takes jobs by priority, then submission time, then id, whatever the input order', () => {
    const pending = [
      job('late-low', { priority: 9, at: 1 }),
      job('b', { priority: 0, at: 5 }),
      job('a', { priority: 0, at: 5 }),
      job('early', { priority: 0, at: 1 }),
      job('mid', { priority: 4, at: 0 }),
    ];
    const result = schedule(state({ nodes: [cpuNode('n', 4)], queues: [queue('q', ['n'])], pending }));
    expect(started(result)).toEqual(['early@n', 'a@n', 'b@n', 'mid@n']);
    expect(waits(result)).toEqual([['late-low', 1, 'needs 1 CPU on one node; no CPU is free in queue q']]);
  });

  it('numbers waiting jobs within each queue', () => {
    const result = schedule(
      state({
        nodes: [cpuNode('n', 1)],
        queues: [queue('q', ['n'], 0), queue('r', ['n'], 2)],
        pending: [
          job('q1', { at: 1 }),
          job('r1', { queue: 'r', at: 2 }),
          job('q2', { at: 3 }),
          job('r2', { queue: 'r', at: 4 }),
          job('x', { queue: 'nope', at: 5 }),
        ],
      }),
    );
    expect(started(result)).toEqual(['q1@n']);
    expect(waits(result)).toEqual([
      ['r1', 1, 'needs 1 CPU on one node; no CPU is free in queue r'],
      ['q2', 1, 'needs 1 CPU on one node; no CPU is free in queue q'],
      ['r2', 2, 'needs 1 CPU on one node; no CPU is free in queue r'],
      ['x', 1, 'queue nope does not exist'],
    ]);
  });
});

describe('packing and spreading', () => {
  it('packs accelerator jobs onto the fullest node that fits and spreads CPU jobs', () => {
    const result = schedule(
      state({
        nodes: [gpuNode('g1'), gpuNode('g2'), gpuNode('g3'), cpuNode('c1'), cpuNode('c2'), cpuNode('c3')],
        queues: [queue('q', ['g1', 'g2', 'g3', 'c1', 'c2', 'c3'])],
        running: [running('r1', 5, [['g2', [0, 1, 2, 3, 4]]]), running('r2', 5, [['c1', []]])],
        pending: [
          job('two', { gpus: 2, at: 1 }),
          job('four', { gpus: 4, at: 2 }),
          job('one', { gpus: 1, at: 3 }),
          job('cpu1', { cpu: 4, at: 4 }),
          job('cpu2', { cpu: 4, at: 5 }),
          job('cpu3', { cpu: 4, at: 6 }),
        ],
      }),
    );
    expect(started(result)).toEqual([
      'two@g2[5,6]', // g2 has 3 free: the best fit, g1 and g3 stay whole
      'four@g1[0,1,2,3]', // g2 has 1 left; g1 before g3 by node order
      'one@g2[7]',
      'cpu1@c2', // c1 runs a job already: the most free CPU first, node order on ties
      'cpu2@c3',
      'cpu3@c1',
    ]);
  });

  it('keeps CPU-only jobs off accelerator nodes unless the queue has nothing else', () => {
    const mixed = schedule(
      state({
        nodes: [gpuNode('g1'), cpuNode('c1', 2)],
        queues: [queue('q', ['g1', 'c1'])],
        pending: [job('small', { cpu: 2, at: 1 }), job('more', { cpu: 2, at: 2 })],
      }),
    );
    expect(started(mixed)).toEqual(['small@c1']);
    expect(waits(mixed)).toEqual([['more', 1, 'needs 2 CPUs on one node; no CPU is free in queue q']]);
    const machine = schedule(
      state({ nodes: [gpuNode('g1')], queues: [queue('q', ['g1'])], pending: [job('cpu', { cpu: 2 })] }),
    );
    expect(started(machine)).toEqual(['cpu@g1']);
  });
});

describe('fractional accelerators', () => {
  const place = (result: ScheduleResult): [string, string, number[], number][] =>
    result.start.map((p) => {
      const i = p.instances[0] as PlacedInstance;
      return [p.jobId, i.node, [...i.devices], i.deviceShare];
    });

  it.each([
    [
      '0.5 + 0.5 share one device',
      1,
      [0.5, 0.5],
      [
        ['j0', 'g', [0], 0.5],
        ['j1', 'g', [0], 0.5],
      ],
      [],
    ],
    [
      '0.6 + 0.5 do not',
      1,
      [0.6, 0.5],
      [['j0', 'g', [0], 0.6]],
      [['j1', 1, 'needs 0.5 of an nvidia GPU; the most free on one device is 0.4 (g GPU 0)']],
    ],
    [
      '0.6 + 0.5 take two devices when there are two',
      2,
      [0.6, 0.5],
      [
        ['j0', 'g', [0], 0.6],
        ['j1', 'g', [1], 0.5],
      ],
      [],
    ],
    [
      'ten tenths fill one device exactly',
      2,
      Array.from({ length: 11 }, () => 0.1),
      [...Array.from({ length: 10 }, (_, i) => [`j${i}`, 'g', [0], 0.1]), ['j10', 'g', [1], 0.1]],
      [],
    ],
  ] as const)('%s', (_name, count, shares, start, waiting) => {
    const result = schedule(
      state({
        nodes: [gpuNode('g', count)],
        queues: [queue('q', ['g'])],
        pending: shares.map((share, i) => job(`j${i}`, { gpus: share, at: i })),
      }),
    );
    expect(place(result)).toEqual(start);
    expect(waits(result)).toEqual(waiting);
  });

  it('puts a share on the partly used device with the least room that is enough', () => {
    const result = schedule(
      state({
        nodes: [gpuNode('g', 4)],
        queues: [queue('q', ['g'])],
        running: [running('r', 5, [['g', [0], 0.3]]), running('s', 5, [['g', [2], 0.6]])],
        pending: [job('a', { gpus: 0.4 }), job('b', { gpus: 0.7, at: 1 })],
      }),
    );
    // a: device 2 has 0.4 left (tighter than 0.7 on device 0); b: 0.7 on device 0.
    expect(place(result)).toEqual([
      ['a', 'g', [2], 0.4],
      ['b', 'g', [0], 0.7],
    ]);
  });
});

describe('gang placement', () => {
  const nodes = [gpuNode('g1'), gpuNode('g2')];
  const queues = [queue('q', ['g1', 'g2'])];

  it('places a 2-node job with 8 GPUs each on two virtual nodes at once', () => {
    const result = schedule(state({ nodes, queues, pending: [job('ddp', { gpus: 8, nodes: 2, cpu: 8 })] }));
    expect(result.start).toEqual([
      {
        jobId: 'ddp',
        queue: 'q',
        instances: [
          { index: 0, node: 'g1', cpu: 8, memoryBytes: GIB, devices: [0, 1, 2, 3, 4, 5, 6, 7], deviceShare: 1 },
          { index: 1, node: 'g2', cpu: 8, memoryBytes: GIB, devices: [0, 1, 2, 3, 4, 5, 6, 7], deviceShare: 1 },
        ],
      },
    ]);
  });

  it('places none of it when one node is short, and leaves the room to others', () => {
    const result = schedule(
      state({
        nodes,
        queues,
        running: [running('r', 5, [['g2', [0, 1]]])],
        pending: [job('ddp', { gpus: 8, nodes: 2, at: 1 }), job('small', { gpus: 6, at: 2 })],
      }),
    );
    expect(started(result)).toEqual(['small@g2[2,3,4,5,6,7]']);
    expect(waits(result)).toEqual([
      [
        'ddp',
        1,
        'all 2 instances must start together and only 1 fits: instance 2 needs 8 nvidia GPUs on one node; largest free is 6 on g2',
      ],
    ]);
  });
});

describe('jobs that can never fit', () => {
  const nodes = [gpuNode('g1'), gpuNode('g2'), cpuNode('c1')];
  it.each([
    [
      'more GPUs than any node',
      job('x', { gpus: 16 }),
      'needs 16 nvidia GPUs on one node; the largest node in queue q has 8 (g1)',
    ],
    [
      'an accelerator the queue lacks',
      job('x', { gpus: 1, type: 'ascend' }),
      'queue q has no nodes with ascend accelerators',
    ],
    ['more GPUs than the queue in all', job('x', { gpus: 8, nodes: 3 }), 'needs 24 nvidia GPUs in all; queue q has 16'],
    [
      'more CPUs than any CPU node',
      job('x', { cpu: 32 }),
      'needs 32 CPUs on one node; the largest in queue q has 16 CPUs (c1)',
    ],
    [
      'more memory than a GPU node has',
      job('x', { gpus: 1, memoryGiB: 1024 }),
      'needs 1024 GiB memory on a node with 1 nvidia GPU; the largest in queue q has 512 GiB (g1)',
    ],
    [
      'a bad share',
      job('x', { gpus: 1.5 }),
      'accelerator count 1.5 is neither a whole number nor a share between 0.1 and 1',
    ],
  ])('%s', (_name, request, reason) => {
    const result = schedule(
      state({ nodes, queues: [queue('q', ['g1', 'g2', 'c1'], 0)], pending: [request, job('next', { at: 1 })] }),
    );
    // A job that can never run does not block a strict FIFO queue.
    expect(started(result)).toEqual(['next@c1']);
    expect(waits(result)).toEqual([['x', 1, reason]]);
  });
});

describe('short resources', () => {
  it.each([
    [
      'CPUs on the nodes with the GPUs',
      job('x', { gpus: 4, cpu: 32 }),
      'needs 32 CPUs on a node with 4 nvidia GPUs free; the most free there is 8 CPUs on g1',
    ],
    [
      'memory on the nodes with GPUs and CPUs',
      job('x', { gpus: 4, cpu: 4, memoryGiB: 500 }),
      'needs 500 GiB memory on a node with 4 nvidia GPUs and 4 CPUs free; the most free there is 256 GiB on g1',
    ],
    ['no GPU left', job('x', { gpus: 8 }), 'needs 8 nvidia GPUs on one node; largest free is 4 on g1'],
  ])('%s', (_name, request, reason) => {
    const hog: RunningJob = {
      id: 'hog',
      queue: 'q',
      priority: 0,
      submittedAt: 0,
      instances: [{ index: 0, node: 'g1', cpu: 56, memoryBytes: 256 * GIB, devices: [0, 1, 2, 3], deviceShare: 1 }],
    };
    const result = schedule(
      state({ nodes: [gpuNode('g1')], queues: [queue('q', ['g1'], 2, true)], running: [hog], pending: [request] }),
    );
    expect(result.start).toEqual([]);
    expect(result.preempt).toEqual([]); // hog has a higher priority
    expect(waits(result)).toEqual([['x', 1, reason]]);
  });
});

describe('preemption', () => {
  const nodes = [gpuNode('g1'), gpuNode('g2')];
  const run = (pending: JobRequest[], runningJobs: RunningJob[], preemption = true): ScheduleResult =>
    schedule(state({ nodes, queues: [queue('q', ['g1', 'g2'], 2, preemption)], running: runningJobs, pending }));

  it.each([
    [
      'takes the lowest priority before fewer victims',
      [
        running('p8', 8, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]]),
        running('p9a', 9, [['g2', [0, 1, 2, 3]]], { at: 1 }),
        running('p9b', 9, [['g2', [4, 5, 6, 7]]], { at: 2 }),
      ],
      ['p9b', 'p9a'],
    ],
    [
      'takes the fewest within the lowest priority',
      [
        running('small', 9, [['g1', [0, 1, 2, 3]]], { at: 2 }),
        running('big', 9, [['g2', [0, 1, 2, 3, 4, 5, 6, 7]]], { at: 1 }),
        running('other', 7, [['g1', [4, 5, 6, 7]]]),
      ],
      ['big'],
    ],
    [
      'drops a victim whose release turns out not to be needed',
      [
        running('cpu-only', 9, [['g1', []]], { at: 3 }),
        running('half', 8, [['g1', [0, 1, 2, 3]]]),
        running('rest', 8, [['g1', [4, 5, 6, 7]]]),
        running('keep', 1, [['g2', [0]]]),
      ],
      ['rest', 'half'],
    ],
    [
      'never takes equal or higher priority',
      [running('same', 3, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]]), running('higher', 1, [['g2', [0]]])],
      [],
    ],
  ])('%s', (_name, runningJobs, victims) => {
    const result = run([job('urgent', { gpus: 8, priority: 3 })], runningJobs);
    expect(result.start).toEqual([]);
    expect(result.preempt).toEqual(victims.map((jobId) => ({ jobId, by: 'urgent' })));
    const reason = result.waiting[0]?.reason;
    if (victims.length > 0) {
      const plural = victims.length === 1 ? 'job' : 'jobs';
      expect(reason).toBe(`preempting lower-priority ${plural} ${victims.join(', ')}; starts once they have stopped`);
    } else {
      expect(reason).toBe('needs 8 nvidia GPUs on one node; largest free is 7 on g2');
    }
  });

  it('only where the queue allows it', () => {
    const result = run(
      [job('urgent', { gpus: 8, priority: 0 })],
      [running('low', 9, [['g1', [0]]]), running('low2', 9, [['g2', [0]]])],
      false,
    );
    expect(result.preempt).toEqual([]);
    expect(waits(result)).toEqual([['urgent', 1, 'needs 8 nvidia GPUs on one node; largest free is 7 on g1']]);
  });

  it('never stops what is not preemptible (a dev machine), though it holds its resources', () => {
    const devMachine = { ...running('dm-1', 9, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]]), preemptible: false };
    const result = run([job('urgent', { gpus: 8, priority: 0 })], [devMachine, running('low', 9, [['g2', [0]]])]);
    expect(result.preempt).toEqual([{ jobId: 'low', by: 'urgent' }]);
    const alone = run([job('urgent', { gpus: 8, priority: 0 })], [devMachine, running('keep', 0, [['g2', [0]]])]);
    expect(alone.preempt).toEqual([]);
    expect(waits(alone)).toEqual([['urgent', 1, 'needs 8 nvidia GPUs on one node; largest free is 7 on g2']]);
  });

  it('reserves the freed room for the preempting job for the rest of the pass', () => {
    const result = run(
      [job('urgent', { gpus: 6, priority: 0, at: 1 }), job('filler', { gpus: 2, priority: 5, at: 2 })],
      [running('low', 9, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]]), running('mid', 4, [['g2', [0, 1, 2, 3, 4, 5, 6]]])],
    );
    // urgent takes 6 of low's 8 GPUs; filler may use the 2 left over there only after low has stopped.
    expect(result.preempt).toEqual([{ jobId: 'low', by: 'urgent' }]);
    expect(started(result)).toEqual([]);
    expect(waits(result)).toEqual([
      ['urgent', 1, 'preempting lower-priority job low; starts once they have stopped'],
      ['filler', 2, 'needs 2 nvidia GPUs on one node; largest free is 1 on g2'],
    ]);
  });

  it('does not take the same victim twice', () => {
    const result = run(
      [job('u1', { gpus: 8, priority: 0, at: 1 }), job('u2', { gpus: 8, priority: 0, at: 2 })],
      [running('low', 9, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]]), running('peer', 0, [['g2', [0]]])],
    );
    expect(result.preempt).toEqual([{ jobId: 'low', by: 'u1' }]);
    expect(waits(result).map(([id, position]) => [id, position])).toEqual([
      ['u1', 1],
      ['u2', 2],
    ]);
  });
});

describe('determinism', () => {
  function bigState(seed: number): SchedulerState {
    const next = seededRandom(seed);
    const nodes = [
      ...Array.from({ length: 20 }, (_, i) => gpuNode(`g${i}`)),
      ...Array.from({ length: 5 }, (_, i) => gpuNode(`a${i}`, 8, 'ascend')),
      ...Array.from({ length: 10 }, (_, i) => cpuNode(`c${i}`)),
    ];
    const names = nodes.map((node) => node.name);
    const queues = [queue('fifo', names, 0, true), queue('within', names, 1, true), queue('any', names, 2, false)];
    const gpuChoices = [0, 0, 0.5, 0.3, 1, 2, 4, 8];
    const pending = Array.from({ length: 400 }, (_, i) =>
      job(`j${i}`, {
        queue: (queues[Math.floor(next() * 3)] as SchedulerQueue).name,
        priority: Math.floor(next() * 10),
        at: Math.floor(next() * 50),
        cpu: 1 + Math.floor(next() * 8),
        gpus: gpuChoices[Math.floor(next() * gpuChoices.length)] as number,
        type: next() < 0.2 ? 'ascend' : 'nvidia',
        nodes: next() < 0.1 ? 2 : 1,
      }),
    );
    const runningJobs = Array.from({ length: 10 }, (_, i) =>
      running(`r${i}`, 9, [[`g${i}`, [0, 1, 2, 3]]], { queue: 'fifo' }),
    );
    return state({ nodes, queues, running: runningJobs, pending });
  }

  it('gives the same result for the same input, whatever the order of pending jobs', () => {
    const input = bigState(42);
    const first = schedule(input);
    expect(schedule(input)).toEqual(first);
    expect(schedule({ ...input, pending: [...input.pending].reverse() })).toEqual(first);
    expect(first.start.length).toBeGreaterThan(0);
    expect(first.waiting.length).toBeGreaterThan(0);
    expect(first.preempt.length).toBeGreaterThan(0);
    expect(first.start.length + first.waiting.length).toBe(input.pending.length);
  });

  it('never gives a device more than its whole share or a node more than its CPUs', () => {
    const input = bigState(7);
    const result = schedule(input);
    const used = new Map<string, number>();
    const cpu = new Map<string, number>();
    for (const placed of [...input.running.flatMap((r) => r.instances), ...result.start.flatMap((p) => p.instances)]) {
      cpu.set(placed.node, (cpu.get(placed.node) ?? 0) + placed.cpu);
      for (const device of placed.devices) {
        const key = `${placed.node}/${device}`;
        used.set(key, (used.get(key) ?? 0) + Math.round(placed.deviceShare * 1000));
      }
    }
    for (const share of used.values()) expect(share).toBeLessThanOrEqual(1000);
    for (const node of input.nodes) expect(cpu.get(node.name) ?? 0).toBeLessThanOrEqual(node.cpu);
  });
});

describe('preemption, victim by victim', () => {
  const nodes = [gpuNode('g1'), gpuNode('g2'), gpuNode('g3')];
  const queues = [queue('q', ['g1', 'g2', 'g3'], 2, true)];
  const run = (pending: JobRequest[], runningJobs: RunningJob[]): ScheduleResult =>
    schedule(state({ nodes, queues, running: runningJobs, pending }));

  it('walks the candidates in order until one node is free, then keeps only those on it', () => {
    // In preemption order a, b and c each free half a node; d is the first to free a whole one (g1).
    const result = run(
      [job('urgent', { gpus: 8, priority: 2 })],
      [
        running('a', 9, [['g1', [0, 1, 2, 3]]], { at: 6 }),
        running('b', 9, [['g2', [0, 1, 2, 3]]], { at: 5 }),
        running('c', 9, [['g3', [0, 1, 2, 3]]], { at: 4 }),
        running('d', 8, [['g1', [4, 5, 6, 7]]], { at: 3 }),
        running('e', 8, [['g2', [4, 5, 6, 7]]], { at: 2 }),
        running('f', 7, [['g3', [4, 5, 6, 7]]], { at: 1 }),
      ],
    );
    expect(result.preempt).toEqual([
      { jobId: 'a', by: 'urgent' },
      { jobId: 'd', by: 'urgent' },
    ]);
  });

  it('takes a running gang that holds part of the node where the job lands', () => {
    const result = run(
      [job('urgent', { gpus: 8, priority: 2 })],
      [
        running('ddp', 9, [
          ['g1', [0, 1, 2, 3]],
          ['g2', [0, 1, 2, 3]],
        ]),
        running('x', 8, [['g1', [4, 5, 6, 7]]]),
        running('y', 6, [['g2', [4, 5, 6, 7]]]),
        running('z', 1, [['g3', [0]]]),
      ],
    );
    expect(result.preempt).toEqual([
      { jobId: 'ddp', by: 'urgent' },
      { jobId: 'x', by: 'urgent' },
    ]);
  });

  it('makes room for a gang on two nodes, and the next job takes what is left', () => {
    const result = run(
      [job('ddp', { gpus: 8, nodes: 2, priority: 2, at: 1 }), job('small', { gpus: 2, priority: 4, at: 2 })],
      [
        running('a', 9, [['g1', [0, 1, 2, 3, 4, 5, 6, 7]]], { at: 1 }),
        running('b', 8, [['g2', [0, 1, 2, 3]]], { at: 2 }),
        running('c', 8, [['g2', [4, 5]]], { at: 3 }),
        running('d', 8, [['g3', [0, 1, 2, 3, 4, 5]]], { at: 4 }),
        running('e', 3, [['g3', [6]]], { at: 5 }),
      ],
    );
    expect(result.preempt).toEqual([
      { jobId: 'a', by: 'ddp' },
      { jobId: 'b', by: 'ddp' },
      { jobId: 'c', by: 'ddp' },
      { jobId: 'd', by: 'small' },
    ]);
  });

  it('frees one device for a share', () => {
    const result = schedule(
      state({
        nodes: [gpuNode('g', 2)],
        queues: [queue('q', ['g'], 2, true)],
        running: [
          running('s1', 9, [['g', [0], 0.5]], { at: 2 }),
          running('s2', 8, [['g', [1], 0.3]], { at: 1 }),
          running('s3', 7, [['g', [0], 0.4]], { at: 3 }),
          running('s4', 9, [['g', [1], 0.6]], { at: 4 }),
        ],
        pending: [job('share', { gpus: 0.7, priority: 1 })],
      }),
    );
    // s4 (0.6) and s1 (0.5) come first; freeing s4 leaves 1 - 0.3 = 0.7 on device 1.
    expect(result.preempt).toEqual([{ jobId: 's4', by: 'share' }]);
  });

  /** Random states in one queue per policy, all preempting, with some running jobs. */
  function randomState(seed: number): SchedulerState {
    let a = seed;
    const next = (): number => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(choices: readonly T[]): T => choices[Math.floor(next() * choices.length)] as T;
    // Small nodes, so that CPUs and memory run short as well as devices.
    const sized = (node: SchedulerNode): SchedulerNode => ({
      ...node,
      cpu: pick([8, 16, 64]),
      memoryBytes: pick([16, 64]) * GIB,
    });
    const pool = [
      ...Array.from({ length: 1 + Math.floor(next() * 5) }, (_, i) => sized(gpuNode(`g${i}`, pick([2, 4, 8])))),
      ...Array.from({ length: Math.floor(next() * 2) }, (_, i) => sized(gpuNode(`a${i}`, 4, 'ascend'))),
      ...Array.from({ length: Math.floor(next() * 3) }, (_, i) => cpuNode(`c${i}`, pick([2, 4, 8]))),
    ];
    const names = pool.map((node) => node.name);
    const queues = ([0, 1, 2] as const).map((policy) => queue(`q${policy}`, names, policy, true));
    const request = (id: string): JobRequest =>
      job(id, {
        queue: pick(queues).name,
        priority: Math.floor(next() * 10),
        at: Math.floor(next() * 20),
        cpu: pick([0, 1, 2, 4, 8]),
        memoryGiB: pick([0, 1, 4, 16]),
        gpus: pick([0, 0, 0.3, 0.5, 0.7, 1, 2, 4, 8]),
        type: next() < 0.2 ? 'ascend' : 'nvidia',
        nodes: next() < 0.2 ? 2 : 1,
      });
    const seeded = Array.from({ length: 30 }, (_, i) => request(`r${i}`));
    const placed = schedule(state({ nodes: pool, queues, pending: seeded })).start;
    const runningJobs = placed.map((placement): RunningJob => {
      const { id, queue: name, priority, submittedAt } = seeded.find((j) => j.id === placement.jobId) as JobRequest;
      return { id, queue: name, priority, submittedAt, instances: placement.instances };
    });
    const pending = Array.from({ length: 40 }, (_, i) => request(`p${i}`));
    return state({ nodes: pool, queues, running: runningJobs, pending });
  }

  it('chooses as if every candidate were released in turn', () => {
    // The pass releases a candidate only once it holds something where the job could land. A
    // running job holding an odd amount (half a byte) makes it release every candidate at once, as
    // the plain search does; here it sits on a node no queue uses, so the outcome must not change.
    const odd: RunningJob = {
      id: 'odd',
      queue: 'none',
      priority: 9,
      submittedAt: 0,
      instances: [{ index: 0, node: 'spare', cpu: 1, memoryBytes: 0.5, devices: [], deviceShare: 0 }],
    };
    let preempted = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const input = randomState(seed);
      const result = schedule(input);
      const plain = schedule({ ...input, nodes: [...input.nodes, cpuNode('spare')], running: [...input.running, odd] });
      expect(result).toEqual(plain);
      preempted += result.preempt.length;
    }
    expect(preempted).toBeGreaterThan(100);
  });
});

describe('waiting reasons', () => {
  it('follow the capacity, whatever was tried in between', () => {
    const result = schedule(
      state({
        nodes: [gpuNode('g1'), gpuNode('g2', 4)],
        queues: [queue('q', ['g1', 'g2'])],
        running: [running('r', 5, [['g1', [0, 1]]]), running('s', 5, [['g2', [0, 1, 2]]])],
        pending: [
          job('a', { gpus: 8, at: 1 }),
          job('gang', { gpus: 4, nodes: 3, at: 2 }), // places one instance, then gives it back
          job('c', { gpus: 2, at: 3 }),
          job('d', { gpus: 8, at: 4 }),
        ],
      }),
    );
    expect(started(result)).toEqual(['c@g1[2,3]']);
    expect(waits(result)).toEqual([
      ['a', 1, 'needs 8 nvidia GPUs on one node; largest free is 6 on g1'],
      [
        'gang',
        2,
        'all 3 instances must start together and only 1 fits: instance 2 needs 4 nvidia GPUs on one node; largest free is 2 on g1',
      ],
      ['d', 3, 'needs 8 nvidia GPUs on one node; largest free is 4 on g1'],
    ]);
  });
});
