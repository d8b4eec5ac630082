import { MILLI, type NodeState } from './capacity.js';
import { describeCpus, describeDevices, describeMemory, type InstanceNeed } from './needs.js';
import type { NodeSize, PoolView } from './poolView.js';
import type { AcceleratorType } from './types.js';

/**
 * Why one instance does not fit the queue's free capacity now, naming the short resource:
 * devices first, then CPUs on the nodes with those devices, then memory on the nodes with both.
 * Called for most jobs that wait, so it walks the nodes once and builds no lists.
 */
export function diagnose(pool: PoolView, need: InstanceNeed): string {
  const cpus = describeCpus(need.cpuMilli);
  if (need.type === 'none') {
    const list = pool.cpu.byFreeCpu;
    const top = list.at(0);
    if (!top || top.freeCpuMilli < need.cpuMilli) {
      if (!top || top.freeCpuMilli <= 0) return `needs ${cpus} on one node; no CPU is free in queue ${pool.name}`;
      return `needs ${cpus} on one node; largest free is ${top.freeCpuMilli / MILLI} on ${top.name}`;
    }
    // The nodes with the CPUs free are the first ones by free CPU; ties go to node order.
    const host = new HostTally(need.cpuMilli, true);
    for (let i = 0; i < list.size; i++) {
      const node = list.at(i) as NodeState;
      if (node.freeCpuMilli < need.cpuMilli) break;
      host.offer(node);
    }
    return host.explain(need, 'one node', need.cpuMilli > 0 ? `a node with ${cpus} free` : 'one node');
  }
  const group = pool.accelerators.get(need.type);
  if (!group) return `queue ${pool.name} has no nodes with ${need.type} accelerators`;
  const devices = describeDevices(need.type, need.whole, need.shareMilli);
  const where = `a node with ${devices} free`;
  const whereWithCpu = need.cpuMilli > 0 ? `a node with ${devices} and ${cpus} free` : where;
  if (need.shareMilli > 0) {
    let bestNode: NodeState | undefined;
    let bestDevice = 0;
    let bestFree = 0;
    for (const node of group.nodes) {
      for (let d = 0; d < node.deviceCount; d++) {
        const free = node.deviceFree[d] as number;
        if (!bestNode || free > bestFree) {
          bestNode = node;
          bestDevice = d;
          bestFree = free;
        }
      }
    }
    if (!bestNode || bestFree <= 0) return `needs ${devices}; none is free in queue ${pool.name}`;
    if (bestFree < need.shareMilli) {
      const device = `${bestNode.name} ${need.type === 'ascend' ? 'NPU' : 'GPU'} ${bestDevice}`;
      return `needs ${devices}; the most free on one device is ${bestFree / MILLI} (${device})`;
    }
    const host = new HostTally(need.cpuMilli, false);
    for (const node of group.nodes) {
      if (node.deviceFree.some((free) => free >= need.shareMilli)) host.offer(node);
    }
    return host.explain(need, where, whereWithCpu);
  }
  const list = group.byWholeFree;
  const most = list.last();
  const top = most && list.at(list.firstAtLeast(most.wholeFree)); // the first node with the most
  if (!top || top.wholeFree < need.whole) {
    if (!top || top.wholeFree === 0) return `needs ${devices} on one node; none is free in queue ${pool.name}`;
    return `needs ${devices} on one node; largest free is ${top.wholeFree} on ${top.name}`;
  }
  const host = new HostTally(need.cpuMilli, false);
  for (let i = list.firstAtLeast(need.whole); i < list.size; i++) host.offer(list.at(i) as NodeState);
  return host.explain(need, where, whereWithCpu);
}

/**
 * CPUs, then memory, on the nodes that have the devices, offered one by one (at least one): the
 * first node offered with the most free CPUs, and the first with the most free memory among those
 * with the CPUs free. With `tieByIndex`, node order breaks ties instead of the order offered.
 */
class HostTally {
  private mostCpu: NodeState | undefined;
  private mostMemory: NodeState | undefined;

  constructor(
    private readonly cpuMilli: number,
    private readonly tieByIndex: boolean,
  ) {}

  offer(node: NodeState): void {
    if (!this.mostCpu || this.before(node.freeCpuMilli, node, this.mostCpu.freeCpuMilli, this.mostCpu)) {
      this.mostCpu = node;
    }
    if (
      node.freeCpuMilli >= this.cpuMilli &&
      (!this.mostMemory || this.before(node.freeMemoryBytes, node, this.mostMemory.freeMemoryBytes, this.mostMemory))
    ) {
      this.mostMemory = node;
    }
  }

  explain(need: InstanceNeed, where: string, whereWithCpu: string): string {
    const mostCpu = this.mostCpu as NodeState;
    if (mostCpu.freeCpuMilli < need.cpuMilli) {
      const free = describeCpus(Math.max(0, mostCpu.freeCpuMilli));
      return `needs ${describeCpus(need.cpuMilli)} on ${where}; the most free there is ${free} on ${mostCpu.name}`;
    }
    const mostMemory = this.mostMemory as NodeState;
    const free = describeMemory(Math.max(0, mostMemory.freeMemoryBytes));
    return `needs ${describeMemory(need.memoryBytes)} memory on ${whereWithCpu}; the most free there is ${free} on ${mostMemory.name}`;
  }

  /** Whether `node` with `value` goes before the best so far. */
  private before(value: number, node: NodeState, bestValue: number, best: NodeState): boolean {
    return value > bestValue || (this.tieByIndex && value === bestValue && node.index < best.index);
  }
}

/**
 * Why a job can never run in the queue, even with every node empty (`undefined` if it might).
 * Each instance must fit some node on its own, and the whole devices of the gang must not exceed
 * the queue's total.
 */
export function neverFits(pool: PoolView, needs: readonly InstanceNeed[]): string | undefined {
  const totals = new Map<AcceleratorType, number>();
  for (const [i, need] of needs.entries()) {
    const reason = neverFitsInstance(pool, need);
    if (reason) return needs.length > 1 && reason.startsWith('needs') ? `instance ${i + 1} ${reason}` : reason;
    if (need.whole > 0) totals.set(need.type, (totals.get(need.type) ?? 0) + need.whole);
  }
  for (const [type, wanted] of totals) {
    const available = pool.accelerators.get(type)?.deviceTotal ?? 0;
    if (wanted > available) {
      return `needs ${describeDevices(type, wanted)} in all; queue ${pool.name} has ${available}`;
    }
  }
  return undefined;
}

function neverFitsInstance(pool: PoolView, need: InstanceNeed): string | undefined {
  // The common answer first, from the few distinct node sizes: some node could take it when empty.
  const sizes = need.type === 'none' ? pool.cpu.sizes : pool.accelerators.get(need.type)?.sizes;
  const fewest = need.type === 'none' ? 0 : Math.max(1, need.whole);
  const fits = (size: NodeSize): boolean =>
    size.deviceCount >= fewest && size.cpuMilli >= need.cpuMilli && size.memoryBytes >= need.memoryBytes;
  if (sizes?.some(fits)) return undefined;
  // Otherwise say why, from the nodes themselves.
  let nodes: readonly NodeState[];
  let where: string;
  if (need.type === 'none') {
    nodes = pool.cpu.nodes;
    where = 'one node';
    if (nodes.length === 0) return `queue ${pool.name} has no nodes`;
  } else {
    const group = pool.accelerators.get(need.type);
    if (!group) return `queue ${pool.name} has no nodes with ${need.type} accelerators`;
    const devices = describeDevices(need.type, need.whole, need.shareMilli);
    const largest = maxBy(group.nodes, (node) => node.deviceCount) as NodeState;
    if (largest.deviceCount < need.whole) {
      return `needs ${devices} on one node; the largest node in queue ${pool.name} has ${largest.deviceCount} (${largest.name})`;
    }
    nodes = group.nodes.filter((node) => node.deviceCount >= Math.max(1, need.whole));
    where = `a node with ${devices}`;
  }
  const mostCpu = maxBy(nodes, (node) => node.cpuMilli) as NodeState;
  if (mostCpu.cpuMilli < need.cpuMilli) {
    return `needs ${describeCpus(need.cpuMilli)} on ${where}; the largest in queue ${pool.name} has ${describeCpus(mostCpu.cpuMilli)} (${mostCpu.name})`;
  }
  const mostMemory = maxBy(
    nodes.filter((node) => node.cpuMilli >= need.cpuMilli),
    (node) => node.memoryBytes,
  ) as NodeState;
  if (mostMemory.memoryBytes < need.memoryBytes) {
    return `needs ${describeMemory(need.memoryBytes)} memory on ${where}; the largest in queue ${pool.name} has ${describeMemory(mostMemory.memoryBytes)} (${mostMemory.name})`;
  }
  return undefined;
}

/** The first node with the greatest value (node order breaks ties). */
function maxBy(nodes: readonly NodeState[], value: (node: NodeState) => number): NodeState | undefined {
  let best: NodeState | undefined;
  for (const node of nodes) if (!best || value(node) > value(best)) best = node;
  return best;
}
