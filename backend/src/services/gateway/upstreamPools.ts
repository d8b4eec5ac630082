import { Pool } from 'undici';
import type { ProxyTarget } from '../../proxy/proxyCore.js';

/** A pool no call asked for in this long is closed (its replica is likely gone). */
const IDLE_POOL_MS = 60_000;
const SWEEPS_PER_IDLE = 4;

/**
 * One undici Pool of keep-alive connections per replica address (loopback port or Unix socket).
 * undici's client parses answers with llhttp in WebAssembly and writes requests with fewer copies
 * than node:http's ClientRequest: measured here, a bare proxy on it costs ~40 µs of CPU per call
 * against ~70 µs for http.request. Pools of replicas no longer called are closed after a minute
 * (gracefully: a stream still running on one ends first).
 */
export class UpstreamPools {
  private readonly pools = new Map<string, { pool: Pool; usedAt: number }>();
  private readonly sweeper: NodeJS.Timeout;
  /** Sweeps so far: a coarse clock, so that a call reads no clock here. */
  private sweeps = 0;

  constructor() {
    this.sweeper = setInterval(() => this.sweep(), IDLE_POOL_MS / SWEEPS_PER_IDLE);
    this.sweeper.unref();
  }

  of(target: ProxyTarget): Pool {
    const key = 'socketPath' in target ? target.socketPath : `${target.host}:${target.port}`;
    let entry = this.pools.get(key);
    if (!entry) {
      const pool =
        'socketPath' in target
          ? new Pool('http://localhost', { ...POOL_OPTIONS, socketPath: target.socketPath })
          : new Pool(
              `http://${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`,
              POOL_OPTIONS,
            );
      entry = { pool, usedAt: this.sweeps };
      this.pools.set(key, entry);
    } else entry.usedAt = this.sweeps;
    return entry.pool;
  }

  get size(): number {
    return this.pools.size;
  }

  /** Closes the pools no call asked for since SWEEPS_PER_IDLE sweeps (the timer's; tests call it too). */
  sweep(): void {
    this.sweeps += 1;
    for (const [key, entry] of this.pools) {
      if (this.sweeps - entry.usedAt <= SWEEPS_PER_IDLE) continue;
      this.pools.delete(key);
      entry.pool.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map(({ pool }) => pool.destroy().catch(() => undefined)));
  }
}

const POOL_OPTIONS = {
  /** As many connections as calls in flight (the service's concurrency limit bounds them). */
  connections: null,
  pipelining: 1,
  /** The gateway times the answer's headers itself per call (limits.upstreamTimeoutSeconds). */
  headersTimeout: 0,
  /** A stream may pause for as long as it likes (an LLM thinking); the caller leaving ends it. */
  bodyTimeout: 0,
  connectTimeout: 10_000,
} as const;
