import type { SortedNodeList, NodeState } from './capacity.js';
import type { AcceleratorType } from './types.js';

/*
 * What a queue's nodes look like to the scheduler's explanations (`diagnose.ts`): the indexes
 * `QueuePool` keeps, without the packing that changes them.
 */

/** The nodes of one accelerator type in a queue, indexed for packing. */
export interface AcceleratorNodes {
  readonly nodes: readonly NodeState[];
  /** Ordered by fully free devices, ascending: the first that fits is the best fit. */
  readonly byWholeFree: SortedNodeList;
  /** Nodes with a partly shared device, in node order. */
  readonly partial: SortedNodeList;
  /** Devices on all the nodes. */
  readonly deviceTotal: number;
  /** The distinct sizes of the nodes (`undefined` if there are many). */
  readonly sizes: readonly NodeSize[] | undefined;
}

/** The nodes CPU-only instances use in a queue, indexed for spreading. */
export interface CpuNodes {
  readonly nodes: readonly NodeState[];
  /** Ordered by free CPU, descending: the first is the worst fit. */
  readonly byFreeCpu: SortedNodeList;
  /** The distinct sizes of the nodes (`undefined` if there are many). */
  readonly sizes: readonly NodeSize[] | undefined;
}

/** What a node has when empty. */
export interface NodeSize {
  readonly deviceCount: number;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

/** One queue's nodes, by accelerator type and for CPU-only instances. */
export interface PoolView {
  readonly name: string;
  readonly accelerators: ReadonlyMap<AcceleratorType, AcceleratorNodes>;
  readonly cpu: CpuNodes;
}
