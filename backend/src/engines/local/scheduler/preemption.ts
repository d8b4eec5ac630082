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
 * Adding victims does not touch the shared capacity for most of them: `PrefixSearch` follows, per
 * node, what the victims so far free there, and releases a victim in `capacity` only once it holds
 * something on a node where an instance could land (see there). The outcome is the same as
 * releasing every victim in turn and trying the gang after each, at the cost of what the victims
 * hold rather than a re-filing of every node they touch and a trial placement per victim.
 *
 * Leaves `capacity` as it found it plus the reservation; returns `undefined` (and leaves `capacity`
 * as it found it, change counts included) if even releasing every candidate would not make room.
 * The calls of a pass may share one `scratch`, which saves making node copies afresh each time.
 */
export function planPreemption(
  capacity: Capacity,
  pool: QueuePool,
  needs: readonly InstanceNeed[],
  candidates: Iterable<Holder>,
  scratch = new PreemptionScratch(),
): PreemptionPlan | undefined {
  const checkpoint = capacity.checkpoint();
  const search = new PrefixSearch(capacity, pool, needs, scratch);
  const victims: Holder[] = [];
  let fits = false;
  for (const holder of candidates) {
    victims.push(holder);
    // Until every instance fits some node on its own, the gang cannot fit.
    if (!search.add(holder)) continue;
    fits = pool.fits(needs);
    if (fits) break;
  }
  if (!fits) {
    search.undo();
    capacity.rewind(checkpoint);
    return undefined;
  }
  // Victims with nothing on the nodes the gang lands on are not needed: take them back at once.
  // The others are released already (an instance lands only where it fits on its own, so on an
  // open node); `releaseNow` only makes sure of it.
  const landing = pool.placeGang(needs, false);
  if (!landing.ok) throw new Error('preemption: the gang fitted a moment ago');
  for (const allocation of landing.allocations) capacity.release(allocation);
  const used = new Set(landing.allocations.map((allocation) => allocation.node));
  for (let i = victims.length - 2; i >= 0; i--) {
    const holder = victims[i] as Holder;
    if (holder.allocations.some((allocation) => used.has(allocation.node))) continue;
    search.takeBack(holder);
    victims.splice(i, 1);
  }
  for (const holder of victims) search.releaseNow(holder);
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
 * Adds candidates one by one, as if each were released in `capacity`, but releases there only
 * those that can matter to the gang. It keeps, per node a candidate holds something on, a copy of
 * the node's free capacity with every candidate so far counted as free (the same arithmetic as
 * `Capacity.release`). A node is *open* once some instance fits it on its own by that copy (the rules
 * of `QueuePool.find`); every candidate holding something on an open node is released for real.
 *
 * So a node that is not open may show less free room in `capacity` than the copy, but no instance
 * fits it by the copy, hence none fits it in `capacity` either, before or after other instances of
 * the gang are placed (placing only takes room away). Every node where an instance can fit looks
 * exactly as if all candidates were released, and `QueuePool.find` picks a node by its own free
 * room among those where the instance fits: trial placements give the same answer, on the same
 * nodes, as with every candidate released. This needs the room on a node to grow as candidates
 * are released and a device's free share never to exceed the whole device, which holds unless some
 * running job holds negative or fractional amounts (`Capacity.regular`): then every candidate is
 * released at once.
 *
 * `fitsCopy` may say yes where the instance would not fit (more candidates get released and the
 * gang is tried sooner, as in the plain search) but never no where it would.
 */
class PrefixSearch {
  /** Tells this search's copies from those of earlier ones in `scratch`. */
  private readonly search: number;
  private readonly released = new Set<Holder>();
  /** Instances that fit no node on their own yet. */
  private readonly unplaced: InstanceNeed[];
  /** The copies the candidate being added touches. */
  private readonly touched: NodeCopy[] = [];
  /** Release every candidate at once, as the plain algorithm does (see `Capacity.regular`). */
  private readonly eager: boolean;

  constructor(
    private readonly capacity: Capacity,
    private readonly pool: QueuePool,
    private readonly needs: readonly InstanceNeed[],
    private readonly scratch: PreemptionScratch,
  ) {
    this.unplaced = needs.filter((need) => !pool.find(need));
    this.eager = !capacity.regular;
    this.search = ++scratch.searches;
  }

  /** Counts `holder` as released; whether every instance now fits some node on its own. */
  add(holder: Holder): boolean {
    // Called for every candidate up to the one that makes room: plain loops, no lists per call.
    const touched = this.touched;
    touched.length = 0;
    for (const allocation of holder.allocations) {
      const copy = this.copyOf(allocation.node);
      copy.cpuMilli += allocation.cpuMilli;
      copy.memoryBytes += allocation.memoryBytes;
      const { devices, shares } = allocation;
      for (let i = 0; i < devices.length; i++) {
        const device = devices[i] as number;
        const share = shares[i] as number;
        if (device >= 0 && device < copy.node.deviceCount) {
          copy.deviceFree[device] = ((copy.deviceFree[device] as number) + share) | 0; // as in the Int32Array
        }
      }
      if (!touched.includes(copy)) touched.push(copy);
    }
    if (this.eager) this.releaseNow(holder); // after the copies: they start from the node as it is
    for (const copy of touched) {
      if (!copy.open && this.fitsAny(copy, this.needs)) {
        copy.open = true;
        for (const earlier of copy.unreleased) this.releaseNow(earlier);
        copy.unreleased.length = 0;
      }
      if (copy.open) this.releaseNow(holder);
      else copy.unreleased.push(holder);
    }
    const unplaced = this.unplaced;
    for (let i = unplaced.length - 1; i >= 0; i--) {
      const need = unplaced[i] as InstanceNeed;
      for (const copy of touched) {
        if (copy.open && this.fitsCopy(copy, need)) {
          unplaced.splice(i, 1);
          break;
        }
      }
    }
    return unplaced.length === 0;
  }

  private fitsAny(copy: NodeCopy, needs: readonly InstanceNeed[]): boolean {
    for (const need of needs) if (this.fitsCopy(copy, need)) return true;
    return false;
  }

  /** Releases `holder` in `capacity` unless it is already. */
  releaseNow(holder: Holder): void {
    if (this.released.has(holder)) return;
    this.released.add(holder);
    release(this.capacity, holder);
  }

  /** Gives back what `holder` holds, if it was released. */
  takeBack(holder: Holder): void {
    if (this.released.delete(holder)) occupy(this.capacity, holder);
  }

  /** Leaves `capacity` as it was. */
  undo(): void {
    for (const holder of this.released) occupy(this.capacity, holder);
    this.released.clear();
  }

  /** This search's copy of `node`, made from the node as it is now on first use. */
  private copyOf(node: NodeState): NodeCopy {
    const { copies } = this.scratch;
    let copy = copies[node.index];
    if (!copy) {
      copy = { node, search: 0, cpuMilli: 0, memoryBytes: 0, deviceFree: [], open: false, unreleased: [] };
      copies[node.index] = copy;
    }
    if (copy.search !== this.search || copy.node !== node) {
      copy.node = node;
      copy.search = this.search;
      copy.cpuMilli = node.freeCpuMilli;
      copy.memoryBytes = node.freeMemoryBytes;
      copy.deviceFree.length = 0;
      for (let d = 0; d < node.deviceCount; d++) copy.deviceFree.push(node.deviceFree[d] as number);
      copy.open = false;
      copy.unreleased.length = 0;
    }
    return copy;
  }

  /**
   * Whether `need` fits the copy by the rules of `QueuePool.find`: a node the instance may use, host
   * room, and whole free devices or one device with the share left (partly used or whole).
   */
  private fitsCopy(copy: NodeCopy, need: InstanceNeed): boolean {
    if (!this.pool.uses(need, copy.node)) return false;
    if (copy.cpuMilli < need.cpuMilli || copy.memoryBytes < need.memoryBytes) return false;
    if (need.type === 'none') return true;
    let whole = 0;
    for (let d = 0; d < copy.deviceFree.length; d++) {
      const free = copy.deviceFree[d] as number;
      if (free === MILLI) whole++;
      else if (need.shareMilli > 0 && free >= need.shareMilli && free < MILLI) return true;
    }
    return whole >= (need.shareMilli > 0 ? 1 : need.whole);
  }
}

/**
 * Node copies kept from one `planPreemption` to the next in a pass (one per node, made afresh for
 * each search), so that the walk over candidates allocates next to nothing.
 */
export class PreemptionScratch {
  /** By node index. */
  readonly copies: (NodeCopy | undefined)[] = [];
  searches = 0;
}

/** A node's free capacity with every candidate so far counted as free. */
interface NodeCopy {
  node: NodeState;
  /** The search the copy belongs to. */
  search: number;
  cpuMilli: number;
  memoryBytes: number;
  readonly deviceFree: number[];
  /** Some instance fits here on its own: every candidate holding something here is released. */
  open: boolean;
  /** Candidates holding something here that are not released yet (none once open). */
  readonly unreleased: Holder[];
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
