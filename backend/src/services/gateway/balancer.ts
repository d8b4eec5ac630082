import type { ReadyReplica } from '../engine.js';

/**
 * Spreads calls over a service's ready replicas: the one with the fewest calls in flight, taking
 * turns among equals; a replica already tried by this call is skipped (retries go elsewhere).
 */
export class ReplicaBalancer {
  private readonly inFlight = new Map<string, number>();
  private turn = 0;

  pick(ready: readonly ReadyReplica[], tried: ReadonlySet<string>): ReadyReplica | undefined {
    const n = ready.length;
    if (n === 0) return undefined;
    this.turn = (this.turn + 1) % n;
    let best: ReadyReplica | undefined;
    let bestLoad = Infinity;
    for (let i = 0; i < n; i++) {
      const replica = ready[(this.turn + i) % n]!;
      if (tried.has(replica.key)) continue;
      const load = this.inFlight.get(replica.key) ?? 0;
      if (load < bestLoad) {
        best = replica;
        bestLoad = load;
      }
    }
    return best;
  }

  /** Counts a call on the replica (until `release`). */
  acquire(key: string): void {
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  release(key: string): void {
    const left = (this.inFlight.get(key) ?? 1) - 1;
    if (left > 0) this.inFlight.set(key, left);
    else this.inFlight.delete(key);
  }

  load(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
