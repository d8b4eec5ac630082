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

export type TokenLimitField = 'tokensPerMinute' | 'tokensPerDay';
export type TokenLimits = Partial<Record<TokenLimitField, number>>;

/** A token's limits as typed: those given, and the fields whose text is no limit. */
export function typedTokenLimits(typed: Record<TokenLimitField, string>): {
  limits: TokenLimits;
  invalid: TokenLimitField[];
} {
  const limits: TokenLimits = {};
  const invalid: TokenLimitField[] = [];
  for (const field of ['tokensPerMinute', 'tokensPerDay'] as const) {
    const parsed = parseTokenLimit(typed[field]);
    if (parsed === 'invalid') invalid.push(field);
    else if (parsed !== undefined) limits[field] = parsed;
  }
  return { limits, invalid };
}

/** The row that creates a token, as typed. */
export interface NewTokenValues extends Record<TokenLimitField, string> {
  description: string;
}

const NO_NEW_TOKEN: NewTokenValues = { description: '', tokensPerMinute: '', tokensPerDay: '' };

/**
 * Who may call one service: its bearer tokens (TI-ONE) and the user's AppKeys bound to it (慧聚).
 * A created token or AppSecret is held only until dismissed, never stored anywhere else.
 */
export class ServiceKeysModel extends ChangingModel {
  private _tokens: ServiceToken[] = [];
  private _appKeys: AppKey[] = [];
  private _created: CreatedSecret | undefined;
  private _newToken: NewTokenValues = NO_NEW_TOKEN;
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

  /** The row that creates a token as typed: kept while the tab is away, emptied once the token is created. */
  get newToken(): NewTokenValues {
    return this._newToken;
  }

  editNewToken(patch: Partial<NewTokenValues>): void {
    this._newToken = { ...this._newToken, ...patch };
    this.emit();
  }

  /** The new token's limit fields whose text is no limit. */
  get newTokenProblems(): TokenLimitField[] {
    return typedTokenLimits(this._newToken).invalid;
  }

  /** Creates the token typed in the new token's row; true once created (the row is emptied). */
  async createToken(): Promise<boolean> {
    const { limits, invalid } = typedTokenLimits(this._newToken);
    if (invalid.length > 0) return false;
    const description = this._newToken.description.trim();
    const body = { ...(description ? { description } : {}), ...limits };
    return this._run(async (client) => {
      const created = await client.createServiceToken({ params: { name: this.service }, body });
      const { token, ...kept } = created;
      this._created = { kind: 'token', id: created.id, secret: token };
      this._tokens = [...this._tokens.filter((t) => t.id !== kept.id), kept];
      this._newToken = NO_NEW_TOKEN;
    });
  }

  async setTokenEnabled(id: string, enabled: boolean): Promise<void> {
    await this._run(async (client) => {
      const token = await client.updateServiceToken({ params: { name: this.service, id }, body: { enabled } });
      this._tokens = this._tokens.map((t) => (t.id === id ? token : t));
    });
  }

  /** New limits of a token (undefined removes one); true once changed. */
  async setTokenLimits(id: string, limits: TokenLimits): Promise<boolean> {
    return this._run(async (client) => {
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

  /** Creates an AppKey bound to this service; true once created. */
  async createAppKey(description?: string): Promise<boolean> {
    return this._run(async (client) => {
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

  /** Runs one request, its failure in `error`; true when it succeeded. */
  private async _run(action: (client: NonNullable<IConnectionModel['client']>) => Promise<void>): Promise<boolean> {
    const client = this._connection.client;
    if (!client || this.isDisposed) return false;
    this._busy = true;
    this._error = undefined;
    this.emit();
    try {
      await action(client);
      return true;
    } catch (e) {
      this._error =
        isApiError(e) && e.issues?.length
          ? e.issues.map((i) => `${i.path}: ${i.message}`).join(' · ')
          : errorMessage(e);
      return false;
    } finally {
      this._busy = false;
      this.emit();
    }
  }
}
