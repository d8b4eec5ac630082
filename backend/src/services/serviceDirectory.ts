import type { CallerKeys } from './callerKeys.js';
import type { GatewayDirectory, GatewayService } from './gateway/directory.js';
import type { ServiceService } from './serviceService.js';
import type { ServiceStore } from './serviceStore.js';

type KnownKey = NonNullable<ReturnType<GatewayDirectory['appKey']>>;
type KnownToken = NonNullable<ReturnType<GatewayDirectory['tokenByHash']>>;

/** Names, AppKeys and token hashes callers asked for that do not exist: remembered, but only so many. */
const MAX_MISSES = 10_000;
/** An AppKey's last use is kept to the minute: one store write per key and minute, not one per call. */
const LAST_USED_PRECISION_MS = 60_000;

/**
 * What the gateway reads on every call, kept in memory: a service's settings, its AppKeys and
 * tokens. The core drops an entry when it changes (`forget`, `forgetKeys`), so no call reads the store twice.
 * What callers ask for that does not exist is remembered in a bounded set (random names or keys
 * cannot grow memory without end).
 */
export class ServiceDirectory implements GatewayDirectory {
  private readonly services = new Map<string, GatewayService>();
  private hosts: Map<string, string> | undefined;
  private pairs: readonly { host: string; certificate: string; privateKey: string }[] | undefined;
  private readonly keys = new Map<string, KnownKey>();
  private readonly tokens = new Map<string, KnownToken>();
  private readonly misses = new Set<string>();
  /** When each AppKey's last use was last written. */
  private readonly lastUseWritten = new Map<string, number>();

  constructor(
    private readonly deps: {
      store: ServiceStore;
      core: () => ServiceService;
      callerKeys: () => CallerKeys;
      onWakeError?: (name: string, error: unknown) => void;
    },
  ) {}

  byName(name: string): GatewayService | undefined {
    const known = this.services.get(name);
    if (known || this.missed(`service:${name}`)) return known;
    const loaded = this.load(name);
    if (loaded) this.services.set(name, loaded);
    else this.miss(`service:${name}`);
    return loaded;
  }

  byHost(host: string): GatewayService | undefined {
    if (!this.hosts) {
      this.hosts = new Map();
      for (const record of this.deps.store.list()) if (record.domain) this.hosts.set(record.domain.host, record.name);
    }
    const name = this.hosts.get(host);
    return name ? this.byName(name) : undefined;
  }

  wake(name: string): void {
    const record = this.deps.store.get(name);
    if (record?.state !== 'Sleeping') return;
    this.deps
      .core()
      .start(name, record.owner)
      .catch((error: unknown) => this.deps.onWakeError?.(name, error));
  }

  appKey(appKey: string): KnownKey | undefined {
    const known = this.keys.get(appKey);
    if (known || this.missed(`key:${appKey}`)) return known;
    const found = this.deps.callerKeys().appKeySecret(appKey);
    if (!found) return void this.miss(`key:${appKey}`);
    const { enabled, owner, services } = found.record;
    const key = { secret: found.secret, enabled, owner, services };
    this.keys.set(appKey, key);
    return key;
  }

  appKeyUsed(appKey: string, atMs: number): void {
    if (atMs - (this.lastUseWritten.get(appKey) ?? -Infinity) < LAST_USED_PRECISION_MS) return;
    this.lastUseWritten.set(appKey, atMs);
    // The cached key holds no last use, so nothing cached changes; a key deleted meanwhile has none to keep.
    if (this.deps.store.getAppKey(appKey)) {
      this.deps.store.updateAppKey(appKey, { lastUsedAt: new Date(atMs).toISOString() });
    }
  }

  tokenByHash(hash: string): KnownToken | undefined {
    const known = this.tokens.get(hash);
    if (known || this.missed(`token:${hash}`)) return known;
    const record = this.deps.store.tokenByHash(hash);
    if (!record) return void this.miss(`token:${hash}`);
    const token = {
      id: record.id,
      service: record.service,
      enabled: record.enabled,
      ...(record.tokensPerMinute ? { tokensPerMinute: record.tokensPerMinute } : {}),
      ...(record.tokensPerDay ? { tokensPerDay: record.tokensPerDay } : {}),
    };
    this.tokens.set(hash, token);
    return token;
  }

  /** Asked on every TLS handshake: kept until a service changes. */
  tlsPairs(): readonly { host: string; certificate: string; privateKey: string }[] {
    this.pairs ??= this.deps.store
      .list()
      .flatMap((record) => (record.domain?.tls ? [{ host: record.domain.host, ...record.domain.tls }] : []));
    return this.pairs;
  }

  /**
   * A service changed, was created or was deleted. A deleted service's tokens and key bindings go
   * with it: nothing cached may let them call a later service of the same name.
   */
  forget(name: string): void {
    this.services.delete(name);
    this.hosts = undefined;
    this.pairs = undefined;
    this.misses.clear();
    for (const [hash, token] of this.tokens) if (token.service === name) this.tokens.delete(hash);
    for (const [appKey, key] of this.keys) if (key.services.includes(name)) this.keys.delete(appKey);
  }

  /** A key or token changed (or was created). */
  forgetKeys(): void {
    this.keys.clear();
    this.lastUseWritten.clear();
    this.tokens.clear();
    this.misses.clear();
  }

  private missed(what: string): boolean {
    return this.misses.has(what);
  }

  private miss(what: string): void {
    if (this.misses.size >= MAX_MISSES) this.misses.clear();
    this.misses.add(what);
  }

  private load(name: string): GatewayService | undefined {
    const record = this.deps.store.get(name);
    if (!record) return undefined;
    const core = this.deps.core();
    return {
      name,
      owner: record.owner,
      auth: record.auth,
      limits: record.limits,
      serving: record.state === 'Running' || record.state === 'Updating' || record.state === 'Deploying',
      sleeping: record.state === 'Sleeping',
      ready: () => core.engineFor(record)?.readyReplicas(name) ?? [],
    };
  }
}
