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
  /**
   * Refreshes so far: it changes whenever a node of the list changes (see `Capacity.checkpoint`),
   * so what was learnt from the list's nodes holds while it stays the same.
   */
  changes = 0;

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

  /** Re-files `node` after its capacity changed (moving entries in place: this runs on every change). */
  refresh(node: NodeState): void {
    this.changes++;
    const filed = this.filedKey[node.index];
    const key = this.keyOf(node);
    const wanted = this.accepts(node);
    if (filed === undefined ? !wanted : wanted && filed === key) return;
    const { nodes, keys } = this;
    let from = nodes.length; // where the node is now (past the end if not filed)
    if (filed !== undefined) {
      from = this.search(filed, node.index);
      this.filedKey[node.index] = undefined;
    } else if (wanted) {
      nodes.push(node); // room for it at the end, filled below
      keys.push(key);
    }
    if (!wanted) {
      for (let i = from; i < nodes.length - 1; i++) {
        nodes[i] = nodes[i + 1] as NodeState;
        keys[i] = keys[i + 1] as number;
      }
      nodes.pop();
      keys.pop();
      return;
    }
    // Where it goes among the others: past `from` if its key grew, else at or before it.
    let to = this.search(key, node.index);
    if (to > from) {
      to--;
      for (let i = from; i < to; i++) {
        nodes[i] = nodes[i + 1] as NodeState;
        keys[i] = keys[i + 1] as number;
      }
    } else {
      for (let i = from; i > to; i--) {
        nodes[i] = nodes[i - 1] as NodeState;
        keys[i] = keys[i - 1] as number;
      }
    }
    nodes[to] = node;
    keys[to] = key;
    this.filedKey[node.index] = key;
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
 * `occupy` / `release`, which re-file the node in each index and count a change there.
 */
export class Capacity {
  readonly nodes: readonly NodeState[];
  private readonly byName = new Map<string, NodeState>();
  private readonly watchers: SortedNodeList[][];
  /** Every index watching some node. */
  private readonly lists: SortedNodeList[] = [];
  private holdsOddAmounts = false;

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

  node(name: string): NodeState | undefined {
    return this.byName.get(name);
  }

  /** Files `node` in `list` now and on every later change. */
  watch(node: NodeState, list: SortedNodeList): void {
    if (!this.lists.includes(list)) this.lists.push(list);
    (this.watchers[node.index] as SortedNodeList[]).push(list);
    list.refresh(node);
  }

  /**
   * Whether every allocation occupied so far held whole, non-negative amounts (as every placement
   * does; running jobs come from outside). Then free room only grows as allocations are released
   * and no device has more than all of it free.
   */
  get regular(): boolean {
    return !this.holdsOddAmounts;
  }

  /** The change counts of every index, for `rewind`. */
  checkpoint(): number[] {
    return this.lists.map((list) => list.changes);
  }

  /**
   * After a trial that has undone every change it made since `checkpoint` (a trial placement, say),
   * puts the change counts back too: the nodes are as they were, so what was learnt about them
   * before still holds. Every count only grows from one settled state to the next, so a count seen
   * twice at settled times means nothing changed in between.
   */
  rewind(checkpoint: readonly number[]): void {
    for (let i = 0; i < checkpoint.length; i++) (this.lists[i] as SortedNodeList).changes = checkpoint[i] as number;
  }

  occupy(allocation: Allocation): void {
    if (!this.holdsOddAmounts && !isRegular(allocation)) this.holdsOddAmounts = true;
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
    for (const list of this.watchers[node.index] as SortedNodeList[]) list.refresh(node);
  }
}

function isRegular(allocation: Allocation): boolean {
  if (!isWholeAmount(allocation.cpuMilli) || !isWholeAmount(allocation.memoryBytes)) return false;
  for (const share of allocation.shares) if (!isWholeAmount(share)) return false;
  return true;
}

function isWholeAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= 0;
}

function isPartial(free: number): boolean {
  return free > 0 && free < MILLI;
}
