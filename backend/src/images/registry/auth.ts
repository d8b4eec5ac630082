import type { RegistryCredentials } from './credentials.js';
import { errorForResponse, RegistryAuthError, RegistryProtocolError, unreachableError } from './registryErrors.js';

/*
 * Registry authentication as Docker clients do it: the first 401 says how (`WWW-Authenticate`).
 * Basic: send the credentials with every request. Bearer (Docker's token auth): ask the realm for a
 * token for the request's scopes (`repository:<repo>:pull,push`), with the credentials as basic auth
 * when there are any, and send it; tokens are cached per scope set until they expire.
 */

export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/** `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"` → its parts. */
export function parseWwwAuthenticate(header: string | null): AuthChallenge | undefined {
  const match = header?.match(/^\s*(basic|bearer)\b\s*(.*)$/i);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const param of match[2]!.matchAll(/([a-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/gi)) {
    params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
  }
  return { scheme: match[1]!.toLowerCase() as AuthChallenge['scheme'], params };
}

/** Scope of a pull (`pull`) or a push (`pull,push`) in `repository`. */
export function repositoryScope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}

type Fetch = (url: string, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

interface CachedToken {
  token: string;
  expiresAtMs: number;
}

/** Tokens without `expires_in` last 60 s (the token spec's default). */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** Renewed this long before they expire, so none expires in flight. */
const TOKEN_EXPIRY_MARGIN_MS = 10_000;

export class RegistryAuthenticator {
  private challenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  /** Scopes a 401 asked for beyond the request's own, kept for that scope set's next token. */
  private readonly challengedScopes = new Map<string, string[]>();

  constructor(
    private readonly registry: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly fetchToken: Fetch,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The Authorization header for a request needing `scopes`, as far as the registry's challenge is known. */
  async authorization(scopes: string[], signal?: AbortSignal): Promise<string | undefined> {
    if (!this.challenge) return undefined;
    if (this.challenge.scheme === 'basic') return this.basicHeader();
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAtMs - TOKEN_EXPIRY_MARGIN_MS > this.nowMs()) return `Bearer ${cached.token}`;
    const token = await this.requestToken(
      this.challenge,
      [...scopes, ...(this.challengedScopes.get(key) ?? [])],
      signal,
    );
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /** Takes in a 401's challenge, so that the retry authenticates the way the registry asks. */
  learn(header: string | null, scopes: string[]): void {
    const challenge = parseWwwAuthenticate(header);
    if (!challenge) {
      throw new RegistryProtocolError(
        `${this.registry} asked to log in without saying how (WWW-Authenticate: ${header ?? 'missing'})`,
        this.registry,
        401,
      );
    }
    const { scope, ...params } = challenge.params;
    this.challenge = { scheme: challenge.scheme, params };
    const key = scopeKey(scopes);
    this.tokens.delete(key);
    if (scope) this.challengedScopes.set(key, scope.split(' '));
  }

  /** The error for a 401 that authenticating did not cure. */
  rejected(): RegistryAuthError {
    return this.credentials
      ? new RegistryAuthError(
          `wrong credentials for ${this.registry}: the registry refused user "${this.credentials.username}"; check the user name and password in the registry settings`,
          this.registry,
          401,
        )
      : new RegistryAuthError(
          `${this.registry} requires a login and no credentials are configured for it: add them to the registry settings (a docker config.json or a user name and password)`,
          this.registry,
          401,
        );
  }

  private basicHeader(): string {
    if (!this.credentials) throw this.rejected();
    const { username, password } = this.credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async requestToken(challenge: AuthChallenge, scopes: string[], signal?: AbortSignal): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm) throw new RegistryProtocolError(`${this.registry}'s token challenge has no realm`, this.registry, 401);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const scope of new Set(scopes)) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.authorization = this.basicHeader();
    let response: Response;
    try {
      response = await this.fetchToken(url.toString(), { headers, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw unreachableError(`${this.registry}'s token service ${url.host}`, error);
    }
    const body = await response.text();
    if (response.status === 401 || response.status === 403) throw this.rejected();
    if (!response.ok) throw errorForResponse(this.registry, 'get an access token', response.status, body);
    const parsed = JSON.parse(body) as { token?: string; access_token?: string; expires_in?: number };
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new RegistryProtocolError(`${url.host} answered without a token`, this.registry, response.status);
    return { token, expiresAtMs: this.nowMs() + (parsed.expires_in ?? DEFAULT_TOKEN_LIFETIME_S) * 1000 };
  }
}

function scopeKey(scopes: string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}
