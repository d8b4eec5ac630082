import { z } from 'zod';
import { DEFAULT_JOB_QUEUE, JOB_LIMITS, MemorySchema, parseMemory } from '@aiplat/api';
import type { SchedulerNode, SchedulerQueue } from '../scheduler/types.js';

/*
 * The local engine's capacity settings: virtual nodes (so queues, gangs and preemption can be
 * exercised on a laptop), queues over the nodes, and whether this machine itself is a node.
 * Every message names what to write instead; the backend config prefixes the path
 * (`localEngine.virtualNodes.0.memory: ...`).
 */

/** The name of the node that stands for this machine (config refers to it by this name). */
export const LOCAL_NODE_NAME = 'local';
export const DEFAULT_VIRTUAL_NODE_NAME = 'virtual';
export const MAX_VIRTUAL_NODES_PER_ENTRY = 1000;
export const MAX_CPU_PER_NODE = 4096;

/** A capacity setting that cannot work (a queue naming a node that does not exist, …). */
export class CapacityConfigError extends Error {
  override name = 'CapacityConfigError';
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `x is required` when missing, `x must be <expected> (got …)` otherwise. */
function fieldError(field: string, expected: string) {
  return (iss: { input?: unknown }) =>
    iss.input === undefined ? `${field} is required` : `${field} must be ${expected} (got ${shown(iss.input)})`;
}

/** An object whose unknown fields are errors that list the known ones (typos in config are common). */
function strictObject<S extends z.ZodRawShape>(shape: S, label: string) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}; the fields of ${label} are ${known}`
        : fieldError(label, `a mapping of ${known}`)(iss),
  });
}

function wholeNumber(field: string, min: number, max: number) {
  const error = fieldError(field, `a whole number from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

// ---- virtual nodes ----------------------------------------------------------------------------

const NODE_NAME_HINT = '1-50 lowercase letters, digits or -, starting and ending with a letter or digit';

const NodeNameSchema = z
  .string({ error: fieldError('name', NODE_NAME_HINT) })
  .regex(/^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$/, { error: fieldError('name', NODE_NAME_HINT) });

const AcceleratorTypeSchema = z.enum(['nvidia', 'ascend', 'none'], {
  error: fieldError('type', 'nvidia, ascend or none'),
});

const VirtualAcceleratorSchema = strictObject(
  {
    type: AcceleratorTypeSchema,
    count: wholeNumber('count', 0, JOB_LIMITS.acceleratorsPerNode),
  },
  'accelerator',
).superRefine((accelerator, ctx) => {
  if (accelerator.type === 'none' && accelerator.count !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['count'],
      input: accelerator.count,
      message: `accelerator type none has count 0; write type nvidia or ascend for ${accelerator.count} devices`,
    });
  } else if (accelerator.type !== 'none' && accelerator.count === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['type'],
      input: accelerator.type,
      message: `a node with 0 ${accelerator.type} devices is CPU-only: write type none (or leave accelerator out)`,
    });
  }
});

export const VirtualNodeSchema = strictObject(
  {
    /** Nodes are named `<name>-0` … `<name>-<count-1>`. */
    name: NodeNameSchema.default(DEFAULT_VIRTUAL_NODE_NAME),
    count: wholeNumber('count', 1, MAX_VIRTUAL_NODES_PER_ENTRY).default(1),
    /** CPUs of each node. */
    cpu: wholeNumber('cpu', 1, MAX_CPU_PER_NODE),
    /** Memory of each node: `64Gi`, `512Mi`, or bytes. */
    memory: MemorySchema.transform((value) => parseMemory(value) ?? 0),
    /** Devices of each node; CPU-only when left out. */
    accelerator: VirtualAcceleratorSchema.default({ type: 'none', count: 0 }),
  },
  'a virtual node entry',
);
export type VirtualNodeEntry = z.infer<typeof VirtualNodeSchema>;

function expandedNames(entry: { name: string; count: number }): string[] {
  return Array.from({ length: entry.count }, (_, i) => `${entry.name}-${i}`);
}

/** Problems with the names a list of entries expands to, each with the entry it is about. */
function nameProblems(entries: readonly { name: string; count: number }[]): { entry: number; message: string }[] {
  const problems: { entry: number; message: string }[] = [];
  const owner = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry.name === LOCAL_NODE_NAME) {
      problems.push({ entry: index, message: `name "${LOCAL_NODE_NAME}" is this machine's node; pick another name` });
      return;
    }
    for (const name of expandedNames(entry)) {
      const first = owner.get(name);
      if (first === undefined) {
        owner.set(name, index);
        continue;
      }
      problems.push({
        entry: index,
        message:
          first === index
            ? `node name ${name} comes out twice`
            : `entries ${first} and ${index} both make a node named ${name}; give each entry its own name`,
      });
      return;
    }
  });
  return problems;
}

/** `[{ name?, count, cpu, memory, accelerator }]`: each entry expands to `count` identical nodes. */
export const VirtualNodesConfigSchema = z
  .array(VirtualNodeSchema, {
    error: fieldError('virtualNodes', 'a list of { name, count, cpu, memory, accelerator }'),
  })
  .superRefine((entries, ctx) => {
    for (const problem of nameProblems(entries)) {
      ctx.addIssue({
        code: 'custom',
        path: [problem.entry, 'name'],
        input: entries[problem.entry]?.name,
        message: problem.message,
      });
    }
  });
export type VirtualNodesConfig = z.infer<typeof VirtualNodesConfigSchema>;

/** The nodes the entries declare, `<name>-0` … `<name>-<count-1>` each, in order. */
export function virtualNodes(config: VirtualNodesConfig): SchedulerNode[] {
  const problem = nameProblems(config)[0];
  if (problem) throw new CapacityConfigError(`virtualNodes.${problem.entry}.name: ${problem.message}`);
  return config.flatMap((entry) =>
    expandedNames(entry).map((name) => ({
      name,
      cpu: entry.cpu,
      memoryBytes: entry.memory,
      accelerator: { type: entry.accelerator.type, count: entry.accelerator.count },
    })),
  );
}

// ---- queues -----------------------------------------------------------------------------------

const POLICY_HINT = '0 (strict FIFO), 1 (backfill within a priority) or 2 (backfill over the whole queue)';

const QueueSchema = strictObject(
  {
    /** What jobs name in `queue:`. */
    name: z
      .string({ error: fieldError('name', 'a queue name') })
      .regex(/^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/, {
        error: (iss) =>
          `queue name ${shown(iss.input)} must be 1-63 letters, digits, _, . or -, starting and ending with a letter or digit`,
      }),
    policy: z
      .union([z.literal(0), z.literal(1), z.literal(2)], { error: fieldError('policy', POLICY_HINT) })
      .default(1),
    /** Names of the nodes the queue may use; every node when left out. */
    nodes: z
      .array(z.string({ error: fieldError('node name', 'a string') }), {
        error: fieldError('nodes', 'a list of node names'),
      })
      .min(1, { error: 'nodes is empty: leave it out to let the queue use every node' })
      .optional(),
    /** Whether a job may stop lower-priority jobs of the same queue to start. */
    preemption: z.boolean({ error: fieldError('preemption', 'true or false') }).default(true),
  },
  'a queue',
);
export type QueueConfig = z.infer<typeof QueueSchema>;

export const DEFAULT_QUEUES: QueueConfig[] = [{ name: DEFAULT_JOB_QUEUE, policy: 1, preemption: true }];

/** `[{ name, policy?, nodes?, preemption? }]`; one queue `default` over every node when left out. */
export const QueuesConfigSchema = z
  .array(QueueSchema, { error: fieldError('queues', 'a list of { name, policy, nodes, preemption }') })
  .min(1, {
    error: `queues is empty: jobs need at least one queue (leave queues out for one named ${DEFAULT_JOB_QUEUE})`,
  })
  .superRefine((queues, ctx) => {
    const seen = new Set<string>();
    queues.forEach((queue, index) => {
      if (seen.has(queue.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'name'],
          input: queue.name,
          message: `queue "${queue.name}" is declared twice; queue names must be unique`,
        });
      }
      seen.add(queue.name);
    });
  })
  .default(DEFAULT_QUEUES);
export type QueuesConfig = z.infer<typeof QueuesConfigSchema>;

function unknownNodeMessage(queue: string, node: string, known: readonly string[], localExcluded = false): string {
  if (node === LOCAL_NODE_NAME && localExcluded) {
    return `queue "${queue}" names node "${node}", but includeLocalMachine is false; remove it or set includeLocalMachine: true`;
  }
  const list = known.length > 8 ? `${known.slice(0, 8).join(', ')}, …` : known.join(', ');
  return `queue "${queue}" names node "${node}", which does not exist; the nodes are ${list || '(none)'}`;
}

/**
 * The scheduler's queues over `nodes`: a queue without `nodes` gets every node. Throws
 * `CapacityConfigError` when a queue names a node that is not in `nodes`.
 */
export function schedulerQueues(config: QueuesConfig, nodes: readonly SchedulerNode[]): SchedulerQueue[] {
  const known = nodes.map((node) => node.name);
  return config.map((queue) => {
    const names = queue.nodes ? [...new Set(queue.nodes)] : known;
    const unknown = names.find((name) => !known.includes(name));
    if (unknown !== undefined) {
      throw new CapacityConfigError(unknownNodeMessage(queue.name, unknown, known));
    }
    return { name: queue.name, policy: queue.policy, nodes: names, preemption: queue.preemption };
  });
}

// ---- the whole setting ------------------------------------------------------------------------

/**
 * The local engine's capacity: `{}` is this machine alone with one queue `default`.
 * Config refers to this machine as `local`.
 */
export const EngineCapacityConfigSchema = strictObject(
  {
    /** Extra, imaginary nodes (e.g. 2 × 8 GPUs) that jobs are scheduled on as if they were real. */
    virtualNodes: VirtualNodesConfigSchema.default([]),
    queues: QueuesConfigSchema,
    /** Whether this machine is a node (`local`). */
    includeLocalMachine: z.boolean({ error: fieldError('includeLocalMachine', 'true or false') }).default(true),
  },
  'the local engine settings',
).superRefine((config, ctx) => {
  const virtual = config.virtualNodes.flatMap(expandedNames);
  if (!config.includeLocalMachine && virtual.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['includeLocalMachine'],
      input: false,
      message:
        'with includeLocalMachine false there are no nodes: declare virtualNodes or set includeLocalMachine: true',
    });
  }
  const known = config.includeLocalMachine ? [LOCAL_NODE_NAME, ...virtual] : virtual;
  config.queues.forEach((queue, q) => {
    queue.nodes?.forEach((node, n) => {
      if (known.includes(node)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['queues', q, 'nodes', n],
        input: node,
        message: unknownNodeMessage(queue.name, node, known, !config.includeLocalMachine),
      });
    });
  });
});
export type EngineCapacityConfig = z.infer<typeof EngineCapacityConfigSchema>;

/**
 * Every node of the engine: `machine` (when the config includes it) then the virtual nodes.
 * Throws `CapacityConfigError` when a virtual node has the machine's name.
 */
export function engineNodes(config: EngineCapacityConfig, machine: SchedulerNode | undefined): SchedulerNode[] {
  const virtual = virtualNodes(config.virtualNodes);
  if (!config.includeLocalMachine || !machine) return virtual;
  if (virtual.some((node) => node.name === machine.name)) {
    throw new CapacityConfigError(`a virtual node is named ${machine.name}, like this machine's node; rename it`);
  }
  return [machine, ...virtual];
}
