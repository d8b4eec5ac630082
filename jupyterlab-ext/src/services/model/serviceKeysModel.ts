import { isApiError, type AppKey, type ServiceToken } from '@aiplat/api';
import { ChangingModel } from '../../model/changingModel.js';
import type { IConnectionModel } from '../../tokens.js';
import { errorMessage } from '../../model/liveListModel.js';

/** A secret just created: shown once, with the id it belongs to, until the user dismisses it. */
export interface CreatedSecret {
  kind: 'token' | 'appkey';
  /** The token's id or the AppKey. */
  id: string;
  secret: string;
}

/** A per-minute / per-day limit as typed: empty is none; else a whole number of LLM tokens. */
export function parseTokenLimit(text: string): number | undefined | 'invalid' {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const value = Number(trimmed);
  return Number.isInteger(value) && value > 0 ? value : 'invalid';
}

/**
 * Who may call one service: its bearer tokens (TI-ONE) and the user's AppKeys bound to it (慧聚).
 * A created token or AppSecret is held only until dismissed, never stored anywhere else.
 */
export class ServiceKeysModel extends ChangingModel {
  private _tokens: ServiceToken[] = [];
  private _appKeys: AppKey[] = [];
  private _created: CreatedSecret | undefined;
  private _error: string | undefined;
  private _busy = false;

  constructor(
    private readonly _connection: IConnectionModel,
    readonly service: string,
  ) {
    super();
  }

  get tokens(): readonly ServiceToken[] {
    return this._tokens;
  }

  /** The user's AppKeys bound to this service. */
  get appKeys(): readonly AppKey[] {
    return this._appKeys;
  }

  get created(): CreatedSecret | undefined {
    return this._created;
  }

  get error(): string | undefined {
    return this._error;
  }

  get busy(): boolean {
    return this._busy;
  }

  async refresh(): Promise<void> {
    await this._run(async (client) => {
      const [{ tokens }, { appKeys }] = await Promise.all([
        client.listServiceTokens({ params: { name: this.service } }),
        client.listAppKeys(),
      ]);
      this._tokens = tokens;
      this._appKeys = appKeys.filter((key) => key.services.includes(this.service));
    });
  }

  async createToken(input: { description?: string; tokensPerMinute?: number; tokensPerDay?: number }): Promise<void> {
    await this._run(async (client) => {
      const created = await client.createServiceToken({ params: { name: this.service }, body: input });
      const { token, ...kept } = created;
      this._created = { kind: 'token', id: created.id, secret: token };
      this._tokens = [...this._tokens.filter((t) => t.id !== kept.id), kept];
    });
  }

  async setTokenEnabled(id: string, enabled: boolean): Promise<void> {
    await this._run(async (client) => {
      const token = await client.updateServiceToken({ params: { name: this.service, id }, body: { enabled } });
      this._tokens = this._tokens.map((t) => (t.id === id ? token : t));
    });
  }

  /** New limits of a token (undefined removes one). */
  async setTokenLimits(id: string, limits: { tokensPerMinute?: number; tokensPerDay?: number }): Promise<void> {
    await this._run(async (client) => {
      const token = await client.updateServiceToken({
        params: { name: this.service, id },
        body: { tokensPerMinute: limits.tokensPerMinute ?? null, tokensPerDay: limits.tokensPerDay ?? null },
      });
      this._tokens = this._tokens.map((t) => (t.id === id ? token : t));
    });
  }

  async deleteToken(id: string): Promise<void> {
    await this._run(async (client) => {
      await client.deleteServiceToken({ params: { name: this.service, id } });
      this._tokens = this._tokens.filter((t) => t.id !== id);
      if (this._created?.id === id) this._created = undefined;
    });
  }

  async createAppKey(description?: string): Promise<void> {
    await this._run(async (client) => {
      const created = await client.createAppKey({
        body: { services: [this.service], ...(description ? { description } : {}) },
      });
      const { appSecret, ...kept } = created;
      this._created = { kind: 'appkey', id: created.appKey, secret: appSecret };
      this._appKeys = [...this._appKeys.filter((k) => k.appKey !== kept.appKey), kept];
    });
  }

  async setAppKeyEnabled(appKey: string, enabled: boolean): Promise<void> {
    await this._run(async (client) => {
      const key = await client.updateAppKey({ params: { appKey }, body: { enabled } });
      this._appKeys = this._appKeys.map((k) => (k.appKey === appKey ? key : k));
    });
  }

  async deleteAppKey(appKey: string): Promise<void> {
    await this._run(async (client) => {
      await client.deleteAppKey({ params: { appKey } });
      this._appKeys = this._appKeys.filter((k) => k.appKey !== appKey);
      if (this._created?.id === appKey) this._created = undefined;
    });
  }

  /** Forgets the secret shown once. */
  dismissSecret(): void {
    this._created = undefined;
    this.emit();
  }

  private async _run(action: (client: NonNullable<IConnectionModel['client']>) => Promise<void>): Promise<void> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return;
    this._busy = true;
    this._error = undefined;
    this.emit();
    try {
      await action(client);
    } catch (e) {
      this._error =
        isApiError(e) && e.issues?.length
          ? e.issues.map((i) => `${i.path}: ${i.message}`).join(' · ')
          : errorMessage(e);
    } finally {
      this._busy = false;
      this.emit();
    }
  }
}
