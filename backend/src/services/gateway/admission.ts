/**
 * A service's QPS and concurrency limits, per ready replica: the service's total grows with its
 * replicas. A token bucket refilled at qps × replicas (burst of one second's worth) and a count of
 * requests in flight.
 */
export class Admission {
  private tokens = 0;
  private refilledAt: number | undefined;
  inFlight = 0;

  /** Undefined when admitted (release with `done`), else the seconds to wait (Retry-After). */
  admit(qpsPerReplica: number, concurrencyPerReplica: number, replicas: number, nowMs: number): number | undefined {
    const rate = qpsPerReplica * Math.max(1, replicas);
    const burst = Math.max(1, rate);
    if (this.refilledAt === undefined) this.tokens = burst;
    else this.tokens = Math.min(burst, this.tokens + ((nowMs - this.refilledAt) / 1000) * rate);
    this.refilledAt = nowMs;
    if (this.inFlight >= concurrencyPerReplica * Math.max(1, replicas)) return 1;
    if (this.tokens < 1) return Math.max(1, Math.ceil((1 - this.tokens) / rate));
    this.tokens -= 1;
    this.inFlight += 1;
    return undefined;
  }

  done(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
