import { MILLI, type Allocation, type Capacity, type NodeState } from './capacity.js';
import type { InstanceNeed } from './needs.js';
import { compareText } from './order.js';
import type { QueuePool } from './queuePool.js';

/** A running job as the pass sees it: what it holds, and how much it matters. */
export interface Holder {
  readonly id: string;
  readonly priority: number;
  readonly submittedAt: number;
  readonly allocations: readonly Allocation[];
}

export interface PreemptionPlan {
  /** Lowest priority first. */
  victims: Holder[];
  /**
   * Already occupied in `capacity`: what the waiting job will take beyond what its victims free,
   * so no later job in the pass is given it.
   */
  reservation: Allocation[];
}

/**
 * Chooses running jobs of strictly lower priority (the caller passes only those, in
 * `preemptionOrder`) whose release lets `needs` fit. Candidates are tried lowest priority first and,
 * within a priority, biggest holders of the short resource first, newest first; victims are added
 * until the gang fits, then every one that turns out not to be needed is dropped again (those with
 * nothing where the gang lands at once, then one by one, highest priority first). The result is minimal
 * (no victim can be spared), which is not always the smallest possible set.
 *
 * Leaves `capacity` as it found it plus the reservation; returns `undefined` if even releasing
 * every candidate would not make room.
 */
export function planPreemption(
  capacity: Capacity,
  pool: QueuePool,
  needs: readonly InstanceNeed[],
  candidates: readonly Holder[],
): PreemptionPlan | undefined {
  if (candidates.length === 0 || !mightFit(needs, candidates, pool)) return undefined;
  const victims: Holder[] = [];
  let fits = false;
  for (const holder of candidates) {
    release(capacity, holder);
    victims.push(holder);
    fits = pool.fits(needs);
    if (fits) break;
  }
  if (!fits) {
    for (const holder of victims) occupy(capacity, holder);
    return undefined;
  }
  // Victims with nothing on the nodes the gang lands on are not needed: take them back at once.
  const landing = pool.placeGang(needs, false);
  if (!landing.ok) throw new Error('preemption: the gang fitted a moment ago');
  for (const allocation of landing.allocations) capacity.release(allocation);
  const used = new Set(landing.allocations.map((allocation) => allocation.node));
  for (let i = victims.length - 2; i >= 0; i--) {
    const holder = victims[i] as Holder;
    if (holder.allocations.some((allocation) => used.has(allocation.node))) continue;
    occupy(capacity, holder);
    victims.splice(i, 1);
  }
  // The last one added is needed (nothing fitted before it); check the others.
  for (let i = victims.length - 2; i >= 0; i--) {
    const holder = victims[i] as Holder;
    occupy(capacity, holder);
    if (pool.fits(needs)) victims.splice(i, 1);
    else release(capacity, holder);
  }

  const placed = pool.placeGang(needs, false);
  if (!placed.ok) throw new Error('preemption: the gang fitted a moment ago');
  for (const allocation of placed.allocations) capacity.release(allocation);
  for (const holder of victims) occupy(capacity, holder);
  const reservation = beyondVictims(placed.allocations, victims);
  for (const allocation of reservation) capacity.occupy(allocation);
  return { victims, reservation };
}

/**
 * A quick necessary condition, without touching the capacity: every whole-device or CPU-only
 * instance must fit some node once everything the candidates hold there is counted as free
 * (devices they touch count as whole). Shares are not checked here.
 */
function mightFit(needs: readonly InstanceNeed[], candidates: readonly Holder[], pool: QueuePool): boolean {
  const held = new Map<NodeState, { cpuMilli: number; memoryBytes: number; devices: Set<number> }>();
  for (const holder of candidates) {
    for (const allocation of holder.allocations) {
      let total = held.get(allocation.node);
      if (!total) {
        total = { cpuMilli: 0, memoryBytes: 0, devices: new Set() };
        held.set(allocation.node, total);
      }
      total.cpuMilli += allocation.cpuMilli;
      total.memoryBytes += allocation.memoryBytes;
      for (const device of allocation.devices) total.devices.add(device);
    }
  }
  return needs.every((need) => {
    if (need.shareMilli > 0) return true;
    for (const node of pool.nodesFor(need)) {
      const extra = held.get(node);
      let devices = node.wholeFree;
      if (extra) for (const device of extra.devices) if (node.deviceFree[device] !== MILLI) devices++;
      if (
        devices >= need.whole &&
        node.freeCpuMilli + (extra?.cpuMilli ?? 0) >= need.cpuMilli &&
        node.freeMemoryBytes + (extra?.memoryBytes ?? 0) >= need.memoryBytes
      ) {
        return true;
      }
    }
    return false;
  });
}

/**
 * Lowest priority first; within a priority the biggest holders of what `needs` asks for (devices of
 * its accelerator types, else CPUs), then the newest.
 */
export function preemptionOrder(candidates: readonly Holder[], needs: readonly InstanceNeed[]): Holder[] {
  const types = new Set(needs.filter((need) => need.type !== 'none').map((need) => need.type));
  const held = (holder: Holder): number => {
    let sum = 0;
    for (const allocation of holder.allocations) {
      if (types.size === 0) sum += allocation.cpuMilli;
      else if (types.has(allocation.node.type)) for (const share of allocation.shares) sum += share;
    }
    return sum;
  };
  return candidates
    .map((holder) => ({ holder, held: held(holder) }))
    .sort(
      (a, b) =>
        b.holder.priority - a.holder.priority ||
        b.held - a.held ||
        b.holder.submittedAt - a.holder.submittedAt ||
        compareText(b.holder.id, a.holder.id),
    )
    .map(({ holder }) => holder);
}

/** Per node and resource, what `placed` takes beyond what the victims give back there. */
function beyondVictims(placed: readonly Allocation[], victims: readonly Holder[]): Allocation[] {
  const wanted = sumByNode(placed);
  const freed = sumByNode(victims.flatMap((victim) => victim.allocations));
  const reservation: Allocation[] = [];
  for (const [index, want] of wanted) {
    const give = freed.get(index);
    const devices: number[] = [];
    const shares: number[] = [];
    for (const [device, share] of want.shares) {
      const extra = share - (give?.shares.get(device) ?? 0);
      if (extra > 0) {
        devices.push(device);
        shares.push(extra);
      }
    }
    reservation.push({
      node: want.node,
      cpuMilli: Math.max(0, want.cpuMilli - (give?.cpuMilli ?? 0)),
      memoryBytes: Math.max(0, want.memoryBytes - (give?.memoryBytes ?? 0)),
      devices,
      shares,
    });
  }
  return reservation;
}

interface NodeTotal {
  node: NodeState;
  cpuMilli: number;
  memoryBytes: number;
  shares: Map<number, number>;
}

function sumByNode(allocations: readonly Allocation[]): Map<number, NodeTotal> {
  const totals = new Map<number, NodeTotal>();
  for (const allocation of allocations) {
    let total = totals.get(allocation.node.index);
    if (!total) {
      total = { node: allocation.node, cpuMilli: 0, memoryBytes: 0, shares: new Map() };
      totals.set(allocation.node.index, total);
    }
    total.cpuMilli += allocation.cpuMilli;
    total.memoryBytes += allocation.memoryBytes;
    allocation.devices.forEach((device, i) => {
      total.shares.set(device, (total.shares.get(device) ?? 0) + (allocation.shares[i] as number));
    });
  }
  return totals;
}

function release(capacity: Capacity, holder: Holder): void {
  for (const allocation of holder.allocations) capacity.release(allocation);
}

function occupy(capacity: Capacity, holder: Holder): void {
  for (const allocation of holder.allocations) capacity.occupy(allocation);
}
