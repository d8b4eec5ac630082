import { MILLI, SortedNodeList, type Allocation, type Capacity, type NodeState } from './capacity.js';
import { diagnose } from './diagnose.js';
import type { InstanceNeed } from './needs.js';
import type { AcceleratorNodes, CpuNodes, NodeSize, PoolView } from './poolView.js';
import type { AcceleratorType, SchedulerQueue } from './types.js';

export type GangResult = { ok: true; allocations: Allocation[] } | { ok: false; failedAt: number; reason: string };

/**
 * One queue's view of the nodes it may use. Accelerator instances are packed (best fit: the node
 * with the fewest free devices that still fits, so whole nodes stay free); CPU-only instances are
 * spread (worst fit: the node with the most free CPU) over the queue's accelerator-less nodes, or
 * over all its nodes when it has none (a single machine with GPUs).
 */
export class QueuePool implements PoolView {
  readonly accelerators = new Map<AcceleratorType, AcceleratorNodes>();
  readonly cpu: CpuNodes;
  private readonly cpuMembers: ReadonlySet<NodeState>;
  /** The queue's nodes with accelerators, of any type. */
  private readonly acceleratorMembers = new Set<NodeState>();

  constructor(
    readonly queue: SchedulerQueue,
    private readonly capacity: Capacity,
  ) {
    const seen = new Set<number>();
    const members: NodeState[] = [];
    for (const name of queue.nodes) {
      const node = capacity.node(name);
      if (node && !seen.has(node.index)) {
        seen.add(node.index);
        members.push(node);
      }
    }
    members.sort((a, b) => a.index - b.index);
    for (const type of ['nvidia', 'ascend'] as const) {
      const nodes = members.filter((node) => node.type === type);
      if (nodes.length === 0) continue;
      const group: AcceleratorNodes = {
        nodes,
        byWholeFree: new SortedNodeList((node) => node.wholeFree),
        partial: new SortedNodeList(
          () => 0,
          (node) => node.partialCount > 0,
        ),
        deviceTotal: nodes.reduce((sum, node) => sum + node.deviceCount, 0),
        sizes: sizesOf(nodes),
      };
      for (const node of nodes) {
        this.acceleratorMembers.add(node);
        capacity.watch(node, group.byWholeFree);
        capacity.watch(node, group.partial);
      }
      this.accelerators.set(type, group);
    }
    const plain = members.filter((node) => node.type === 'none');
    const cpuNodes = plain.length > 0 ? plain : members;
    this.cpu = {
      nodes: cpuNodes,
      byFreeCpu: new SortedNodeList((node) => -node.freeCpuMilli),
      sizes: sizesOf(cpuNodes),
    };
    this.cpuMembers = new Set(cpuNodes);
    for (const node of cpuNodes) capacity.watch(node, this.cpu.byFreeCpu);
  }

  get name(): string {
    return this.queue.name;
  }

  /** The nodes `needs` could be placed on: only what runs there can make room for them. */
  relevantNodes(needs: readonly InstanceNeed[]): Set<NodeState> {
    const nodes = new Set<NodeState>();
    for (const need of needs) for (const node of this.nodesFor(need)) nodes.add(node);
    return nodes;
  }

  /** The nodes one instance may use. */
  nodesFor(need: InstanceNeed): readonly NodeState[] {
    return need.type === 'none' ? this.cpu.nodes : (this.accelerators.get(need.type)?.nodes ?? []);
  }

  /** Whether one instance may use `node` (one of `nodesFor(need)`). */
  uses(need: InstanceNeed, node: NodeState): boolean {
    if (need.type === 'none') return this.cpuMembers.has(node);
    return node.type === need.type && this.acceleratorMembers.has(node);
  }

  /** Where one instance would go now, without taking it. */
  find(need: InstanceNeed): Allocation | undefined {
    if (need.type === 'none') return this.findSpread(need);
    const group = this.accelerators.get(need.type);
    if (!group) return undefined;
    if (need.shareMilli > 0) return this.findShared(group, need) ?? this.findPacked(group, need, 1, need.shareMilli);
    return this.findPacked(group, need, need.whole, MILLI);
  }

  /**
   * Places every instance or none. On success the allocations are occupied; on failure nothing is
   * (nor counted as a change: see `Capacity.rewind`) and the reason describes the first instance
   * that did not fit, given the ones before it.
   */
  placeGang(needs: readonly InstanceNeed[], explain = true): GangResult {
    const allocations: Allocation[] = [];
    const checkpoint = needs.length > 1 ? this.capacity.checkpoint() : undefined;
    for (let i = 0; i < needs.length; i++) {
      const allocation = this.find(needs[i] as InstanceNeed);
      if (!allocation) {
        const reason = explain ? this.explain(needs, i) : '';
        for (const placed of allocations) this.capacity.release(placed);
        if (checkpoint) this.capacity.rewind(checkpoint);
        return { ok: false, failedAt: i, reason };
      }
      this.capacity.occupy(allocation);
      allocations.push(allocation);
    }
    return { ok: true, allocations };
  }

  /** Whether the gang fits now (nothing stays occupied, nor counted as a change). */
  fits(needs: readonly InstanceNeed[]): boolean {
    const checkpoint = this.capacity.checkpoint();
    const result = this.placeGang(needs, false);
    if (result.ok) for (const allocation of result.allocations) this.capacity.release(allocation);
    this.capacity.rewind(checkpoint);
    return result.ok;
  }

  /**
   * Counts the changes to the nodes `needs` may use: while it stays the same, whether and why they
   * fit stays the same.
   */
  version(needs: readonly InstanceNeed[]): number {
    let changes = 0;
    for (const need of needs) {
      const list = need.type === 'none' ? this.cpu.byFreeCpu : this.accelerators.get(need.type)?.byWholeFree;
      changes += list?.changes ?? 0;
    }
    return changes;
  }

  private explain(needs: readonly InstanceNeed[], failedAt: number): string {
    const short = diagnose(this, needs[failedAt] as InstanceNeed);
    if (needs.length === 1) return short;
    const fitted = failedAt === 0 ? 'none fits' : `only ${failedAt} ${failedAt === 1 ? 'fits' : 'fit'}`;
    return `all ${needs.length} instances must start together and ${fitted}: instance ${failedAt + 1} ${short}`;
  }

  private findSpread(need: InstanceNeed): Allocation | undefined {
    const list = this.cpu.byFreeCpu;
    for (let i = 0; i < list.size; i++) {
      const node = list.at(i) as NodeState;
      if (node.freeCpuMilli < need.cpuMilli) break;
      if (node.freeMemoryBytes >= need.memoryBytes) return allocate(node, need, [], 0);
    }
    return undefined;
  }

  private findPacked(
    group: AcceleratorNodes,
    need: InstanceNeed,
    devices: number,
    shareMilli: number,
  ): Allocation | undefined {
    const list = group.byWholeFree;
    for (let i = list.firstAtLeast(devices); i < list.size; i++) {
      const node = list.at(i) as NodeState;
      if (!hasHostRoom(node, need)) continue;
      const chosen: number[] = [];
      for (let d = 0; d < node.deviceCount && chosen.length < devices; d++) {
        if (node.deviceFree[d] === MILLI) chosen.push(d);
      }
      return allocate(node, need, chosen, shareMilli);
    }
    return undefined;
  }

  /** Best fit among partly used devices: the smallest free share that is enough. */
  private findShared(group: AcceleratorNodes, need: InstanceNeed): Allocation | undefined {
    let best: { node: NodeState; device: number; free: number } | undefined;
    for (let i = 0; i < group.partial.size; i++) {
      const node = group.partial.at(i) as NodeState;
      if (!hasHostRoom(node, need)) continue;
      for (let d = 0; d < node.deviceCount; d++) {
        const free = node.deviceFree[d] as number;
        if (free >= need.shareMilli && free < MILLI && (!best || free < best.free)) best = { node, device: d, free };
      }
      if (best?.free === need.shareMilli) break;
    }
    return best && allocate(best.node, need, [best.device], need.shareMilli);
  }
}

/** Clusters are built from a few kinds of machine; past this many sizes, `sizes` is not kept. */
const MAX_SIZES = 16;

function sizesOf(nodes: readonly NodeState[]): NodeSize[] | undefined {
  const sizes: NodeSize[] = [];
  for (const { deviceCount, cpuMilli, memoryBytes } of nodes) {
    const known = sizes.some(
      (size) => size.deviceCount === deviceCount && size.cpuMilli === cpuMilli && size.memoryBytes === memoryBytes,
    );
    if (known) continue;
    if (sizes.length === MAX_SIZES) return undefined;
    sizes.push({ deviceCount, cpuMilli, memoryBytes });
  }
  return sizes;
}

function hasHostRoom(node: NodeState, need: InstanceNeed): boolean {
  return node.freeCpuMilli >= need.cpuMilli && node.freeMemoryBytes >= need.memoryBytes;
}

function allocate(node: NodeState, need: InstanceNeed, devices: number[], shareMilli: number): Allocation {
  return {
    node,
    cpuMilli: need.cpuMilli,
    memoryBytes: need.memoryBytes,
    devices,
    shares: devices.map(() => shareMilli),
  };
}
