import type { CallerKeys } from './callerKeys.js';
import type { GatewayDirectory, GatewayService } from './gateway/directory.js';
import type { ServiceService } from './serviceService.js';
import type { ServiceStore } from './serviceStore.js';

/**
 * What the gateway reads on every call, kept in memory: a service's settings, its AppKeys and
 * tokens. The core drops an entry when it changes (`forget`, `forgetKeys`), so no call reads the store twice.
 */
export class ServiceDirectory implements GatewayDirectory {
  private readonly services = new Map<string, GatewayService | null>();
  private hosts: Map<string, string> | undefined;
  private readonly keys = new Map<string, ReturnType<GatewayDirectory['appKey']>>();
  private readonly tokens = new Map<string, ReturnType<GatewayDirectory['tokenByHash']>>();

  constructor(
    private readonly deps: {
      store: ServiceStore;
      core: () => ServiceService;
      callerKeys: () => CallerKeys;
      onWakeError?: (name: string, error: unknown) => void;
    },
  ) {}

  byName(name: string): GatewayService | undefined {
    let known = this.services.get(name);
    if (known === undefined) {
      known = this.load(name) ?? null;
      this.services.set(name, known);
    }
    return known ?? undefined;
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

  appKey(appKey: string): ReturnType<GatewayDirectory['appKey']> {
    if (!this.keys.has(appKey)) {
      const found = this.deps.callerKeys().appKeySecret(appKey);
      this.keys.set(
        appKey,
        found && {
          secret: found.secret,
          enabled: found.record.enabled,
          owner: found.record.owner,
          services: found.record.services,
        },
      );
    }
    return this.keys.get(appKey);
  }

  tokenByHash(hash: string): ReturnType<GatewayDirectory['tokenByHash']> {
    if (!this.tokens.has(hash)) {
      const record = this.deps.store.tokenByHash(hash);
      this.tokens.set(
        hash,
        record && {
          id: record.id,
          service: record.service,
          enabled: record.enabled,
          ...(record.tokensPerMinute ? { tokensPerMinute: record.tokensPerMinute } : {}),
          ...(record.tokensPerDay ? { tokensPerDay: record.tokensPerDay } : {}),
        },
      );
    }
    return this.tokens.get(hash);
  }

  tlsPairs(): readonly { host: string; certificate: string; privateKey: string }[] {
    return this.deps.store
      .list()
      .flatMap((record) => (record.domain?.tls ? [{ host: record.domain.host, ...record.domain.tls }] : []));
  }

  /** A service changed (or was deleted). */
  forget(name: string): void {
    this.services.delete(name);
    this.hosts = undefined;
  }

  /** A key or token changed. */
  forgetKeys(): void {
    this.keys.clear();
    this.tokens.clear();
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
