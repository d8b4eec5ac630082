import type { AcceleratorType, SchedulerNode } from './types.js';

/** Device shares and CPUs are counted in thousandths so that 0.1 × 10 is exactly one device. */
export const MILLI = 1000;

export function toMilli(value: number): number {
  return Math.round(value * MILLI);
}

/** One node's free capacity during a pass. */
export interface NodeState {
  /** Position in `SchedulerState.nodes`: the tie-breaker wherever nodes are otherwise equal. */
  readonly index: number;
  readonly name: string;
  readonly type: AcceleratorType;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly deviceCount: number;
  freeCpuMilli: number;
  freeMemoryBytes: number;
  /** Free share of each device, in thousandths. */
  readonly deviceFree: Int32Array;
  /** Devices entirely free. */
  wholeFree: number;
  /** Devices partly used by fractional instances (free share strictly between 0 and 1). */
  partialCount: number;
}

/** Resources held on one node, by an instance or by a reservation. */
export interface Allocation {
  readonly node: NodeState;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
  readonly devices: readonly number[];
  /** Share held of each entry of `devices`, in thousandths. */
  readonly shares: readonly number[];
}

/**
 * Nodes kept sorted by (key, node index) while their capacity changes, holding only the nodes that
 * pass `accepts`. Binary search finds the first node whose key reaches a bound, so a best-fit or
 * worst-fit lookup never looks at nodes that cannot fit.
 */
export class SortedNodeList {
  private readonly nodes: NodeState[] = [];
  /** `keys[i]` is the key `nodes[i]` was filed under. */
  private readonly keys: number[] = [];
  /** The key each member was filed under, by node index (nodes change before they are refreshed). */
  private readonly filedKey: (number | undefined)[] = [];

  constructor(
    private readonly keyOf: (node: NodeState) => number,
    private readonly accepts: (node: NodeState) => boolean = () => true,
  ) {}

  get size(): number {
    return this.nodes.length;
  }

  at(position: number): NodeState | undefined {
    return this.nodes[position];
  }

  last(): NodeState | undefined {
    return this.nodes[this.nodes.length - 1];
  }

  /** Position of the first node whose key is >= `key` (`size` if none). */
  firstAtLeast(key: number): number {
    return this.search(key, -1);
  }

  /** Re-files `node` after its capacity changed. */
  refresh(node: NodeState): void {
    const filed = this.filedKey[node.index];
    const key = this.keyOf(node);
    const wanted = this.accepts(node);
    if (filed !== undefined) {
      if (wanted && filed === key) return;
      const position = this.search(filed, node.index);
      this.nodes.splice(position, 1);
      this.keys.splice(position, 1);
      this.filedKey[node.index] = undefined;
    }
    if (wanted) {
      const position = this.search(key, node.index);
      this.nodes.splice(position, 0, node);
      this.keys.splice(position, 0, key);
      this.filedKey[node.index] = key;
    }
  }

  /** First position whose (key, index) is >= (key, index). */
  private search(key: number, index: number): number {
    let lo = 0;
    let hi = this.nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const midKey = this.keys[mid] as number;
      if (midKey < key || (midKey === key && (this.nodes[mid] as NodeState).index < index)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Free capacity of every node, with the indexes that watch them. Every change goes through
 * `occupy` / `release`, which re-file the node in each index; `version` counts the changes.
 */
export class Capacity {
  readonly nodes: readonly NodeState[];
  private readonly byName = new Map<string, NodeState>();
  private readonly watchers: SortedNodeList[][];
  private changes = 0;

  constructor(nodes: readonly SchedulerNode[]) {
    this.nodes = nodes.map((node, index) => {
      const deviceCount = node.accelerator.type === 'none' ? 0 : Math.max(0, Math.floor(node.accelerator.count));
      return {
        index,
        name: node.name,
        type: deviceCount > 0 ? node.accelerator.type : 'none',
        cpuMilli: toMilli(node.cpu),
        memoryBytes: node.memoryBytes,
        deviceCount,
        freeCpuMilli: toMilli(node.cpu),
        freeMemoryBytes: node.memoryBytes,
        deviceFree: new Int32Array(deviceCount).fill(MILLI),
        wholeFree: deviceCount,
        partialCount: 0,
      };
    });
    for (const node of this.nodes) if (!this.byName.has(node.name)) this.byName.set(node.name, node);
    this.watchers = this.nodes.map(() => []);
  }

  get version(): number {
    return this.changes;
  }

  node(name: string): NodeState | undefined {
    return this.byName.get(name);
  }

  /** Files `node` in `list` now and on every later change. */
  watch(node: NodeState, list: SortedNodeList): void {
    (this.watchers[node.index] as SortedNodeList[]).push(list);
    list.refresh(node);
  }

  occupy(allocation: Allocation): void {
    this.apply(allocation, -1);
  }

  release(allocation: Allocation): void {
    this.apply(allocation, 1);
  }

  private apply(allocation: Allocation, sign: 1 | -1): void {
    const { node } = allocation;
    node.freeCpuMilli += sign * allocation.cpuMilli;
    node.freeMemoryBytes += sign * allocation.memoryBytes;
    for (let i = 0; i < allocation.devices.length; i++) {
      const device = allocation.devices[i] as number;
      if (device < 0 || device >= node.deviceCount) continue;
      const before = node.deviceFree[device] as number;
      const after = before + sign * (allocation.shares[i] as number);
      node.deviceFree[device] = after;
      node.wholeFree += Number(after === MILLI) - Number(before === MILLI);
      node.partialCount += Number(isPartial(after)) - Number(isPartial(before));
    }
    this.changes++;
    for (const list of this.watchers[node.index] as SortedNodeList[]) list.refresh(node);
  }
}

function isPartial(free: number): boolean {
  return free > 0 && free < MILLI;
}
