import { createHash, randomBytes } from 'node:crypto';
import { ApiError, type AppKey, type CreatedAppKey, type CreatedServiceToken, type ServiceToken } from '@aiplat/api';
import { SecretBox } from '../store/secretBox.js';
import type { AppKeyRecord, ServiceStore, ServiceTokenRecord } from './serviceStore.js';

export interface CallerKeysDeps {
  store: ServiceStore;
  /** The platform's settings (where the AppSecrets' encryption key is kept). */
  settings: { get(key: string): string | undefined; set(key: string, value: string): void };
  /** LLM tokens a bearer token spent this minute and today (the gateway counts them). */
  usage?: (tokenId: string) => { usedThisMinute: number; usedToday: number };
  /** Called when a key or token changed (the gateway's directory drops what it cached). */
  onChange?: () => void;
  now?: () => Date;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Who may call services. 慧聚 AppKeys: the AppSecret must be read back to check each signature, so it
 * is kept encrypted (AES-256-GCM, a key generated once and kept in the platform's settings). TI-ONE
 * bearer tokens: only their SHA-256 is kept. Secrets are in the create response only.
 */
export class CallerKeys {
  private readonly now: () => Date;
  private readonly box: SecretBox;

  constructor(private readonly deps: CallerKeysDeps) {
    this.now = deps.now ?? (() => new Date());
    this.box = new SecretBox(deps.settings);
  }

  listAppKeys(owner: string): { appKeys: AppKey[] } {
    return { appKeys: this.deps.store.listAppKeys(owner).map(shownKey) };
  }

  createAppKey(owner: string, body: { description?: string; services: string[] }): CreatedAppKey {
    this.checkServices(owner, body.services);
    const appSecret = randomBytes(32).toString('base64url');
    const record: AppKeyRecord = {
      appKey: `ak-${randomBytes(8).toString('hex')}`,
      owner,
      ...(body.description ? { description: body.description } : {}),
      services: [...new Set(body.services)],
      enabled: true,
      createdAt: this.now().toISOString(),
      secretCiphertext: this.box.seal(appSecret),
    };
    this.deps.store.insertAppKey(record);
    this.deps.onChange?.();
    return { ...shownKey(record), appSecret };
  }

  updateAppKey(
    owner: string,
    appKey: string,
    body: { enabled?: boolean; services?: string[]; description?: string },
  ): AppKey {
    this.ownedKey(owner, appKey);
    if (body.services) this.checkServices(owner, body.services);
    const updated = this.deps.store.updateAppKey(appKey, {
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.services ? { services: [...new Set(body.services)] } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
    });
    this.deps.onChange?.();
    return shownKey(updated);
  }

  deleteAppKey(owner: string, appKey: string): { deleted: string } {
    this.ownedKey(owner, appKey);
    this.deps.store.deleteAppKey(appKey);
    this.deps.onChange?.();
    return { deleted: appKey };
  }

  /** An AppKey with its secret, for the gateway's signature check. */
  appKeySecret(appKey: string): { record: AppKeyRecord; secret: string } | undefined {
    const record = this.deps.store.getAppKey(appKey);
    return record ? { record, secret: this.box.open(record.secretCiphertext) } : undefined;
  }

  listTokens(service: string): { tokens: ServiceToken[] } {
    return { tokens: this.deps.store.listTokens(service).map((t) => this.shownToken(t)) };
  }

  createToken(
    service: string,
    body: { description?: string; tokensPerMinute?: number; tokensPerDay?: number },
  ): CreatedServiceToken {
    const token = `aiplat-sk-${randomBytes(24).toString('base64url')}`;
    const record: ServiceTokenRecord = {
      id: `tk-${randomBytes(6).toString('hex')}`,
      service,
      ...(body.description ? { description: body.description } : {}),
      enabled: true,
      ...(body.tokensPerMinute ? { tokensPerMinute: body.tokensPerMinute } : {}),
      ...(body.tokensPerDay ? { tokensPerDay: body.tokensPerDay } : {}),
      prefix: token.slice(0, 14),
      createdAt: this.now().toISOString(),
      hash: tokenHash(token),
    };
    this.deps.store.insertToken(record);
    this.deps.onChange?.();
    return { ...this.shownToken(record), token };
  }

  updateToken(
    service: string,
    id: string,
    body: { enabled?: boolean; description?: string; tokensPerMinute?: number | null; tokensPerDay?: number | null },
  ): ServiceToken {
    this.serviceToken(service, id);
    const limit = (value: number | null | undefined, key: 'tokensPerMinute' | 'tokensPerDay') =>
      value === undefined ? {} : { [key]: value ?? undefined };
    const updated = this.deps.store.updateToken(id, {
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...limit(body.tokensPerMinute, 'tokensPerMinute'),
      ...limit(body.tokensPerDay, 'tokensPerDay'),
    });
    this.deps.onChange?.();
    return this.shownToken(updated);
  }

  deleteToken(service: string, id: string): { deleted: string } {
    this.serviceToken(service, id);
    this.deps.store.deleteToken(id);
    this.deps.onChange?.();
    return { deleted: id };
  }

  private shownToken(record: ServiceTokenRecord): ServiceToken {
    const { hash: _hash, ...shown } = record;
    return { ...shown, ...(this.deps.usage?.(record.id) ?? { usedThisMinute: 0, usedToday: 0 }) };
  }

  private serviceToken(service: string, id: string): ServiceTokenRecord {
    const record = this.deps.store.getToken(id);
    if (!record || record.service !== service) {
      throw new ApiError(
        'not_found',
        `service ${service} has no token ${id}; list them with GET /api/services/${service}/tokens`,
      );
    }
    return record;
  }

  private ownedKey(owner: string, appKey: string): AppKeyRecord {
    const record = this.deps.store.getAppKey(appKey);
    if (!record || record.owner !== owner) {
      throw new ApiError('not_found', `no AppKey ${appKey} of yours; list them with GET /api/appkeys`);
    }
    return record;
  }

  private checkServices(owner: string, services: readonly string[]): void {
    const issues = services
      .map((name, i) => ({ name, i, record: this.deps.store.get(name) }))
      .filter(({ record }) => !record || record.owner !== owner)
      .map(({ name, i }) => ({ path: `body.services.${i}`, message: `you have no service ${name}` }));
    if (issues.length > 0) {
      throw new ApiError(
        'validation_failed',
        `an AppKey can only be bound to your own services: ${issues[0]!.message}`,
        {
          issues,
        },
      );
    }
  }
}

function shownKey(record: AppKeyRecord): AppKey {
  const { secretCiphertext: _secret, ...shown } = record;
  return shown;
}
