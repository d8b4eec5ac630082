import { STATUS_CODES } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, type Dispatcher } from 'undici';
import {
  bareHost,
  checkedAddresses,
  compileAllowList,
  resolveAll,
  type AllowList,
  type ResolveAll,
} from './addressPolicy.js';
import { DownloadRefused, displayUrl } from './downloadRefused.js';

export const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A link the user typed (or a server redirected to), parsed; refused unless plain http(s). */
export function parseDownloadUrl(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    const shown = raw.length > 200 ? `${raw.slice(0, 200)}…` : raw;
    const where = base ? `the server at ${displayUrl(base)} redirected to "${shown}", which` : `"${shown}"`;
    throw new DownloadRefused(
      'bad_url',
      `${where} is not a valid link; use a full address such as https://example.com/data.zip`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadRefused(
      'bad_url',
      `only http:// and https:// links can be downloaded, not ${url.protocol} (${displayUrl(url)})`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new DownloadRefused(
      'bad_url',
      `links with a user name or password are refused (${displayUrl(url)}); remove the "user:password@" part`,
    );
  }
  return url;
}

export interface GuardedResponse {
  response: Dispatcher.ResponseData;
  /** Where the response came from, after redirects. */
  url: URL;
}

export interface GuardedClientOptions {
  allowHosts: readonly string[];
  idleTimeoutMs: number;
  resolve?: ResolveAll;
}

/**
 * GETs over http(s) that only reach permitted addresses. Each hop's host is resolved and checked
 * first, and the connection is made to exactly those checked addresses (the socket's DNS lookup is
 * answered from them), so a second DNS answer cannot point elsewhere; TLS still verifies the
 * certificate against the host name. Redirects are followed here, at most MAX_REDIRECTS.
 */
export class GuardedClient {
  private readonly allow: AllowList;
  private readonly resolve: ResolveAll;
  private readonly pinned = new Map<string, LookupAddress[]>();
  private readonly agent: Agent;

  constructor(options: GuardedClientOptions) {
    this.allow = compileAllowList(options.allowHosts);
    this.resolve = options.resolve ?? resolveAll;
    this.agent = new Agent({
      connect: { lookup: this.pinnedLookup, timeout: options.idleTimeoutMs },
      headersTimeout: options.idleTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    });
  }

  private readonly pinnedLookup: LookupFunction = (hostname, options, callback) => {
    const addresses = this.pinned.get(bareHost(hostname));
    if (!addresses) {
      const err = Object.assign(new Error(`${hostname} was not checked before connecting`), {
        code: 'ENOTFOUND',
      });
      callback(err, '', 0);
      return;
    }
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
    if (options.all) {
      callback(null, usable);
      return;
    }
    const first = usable[0];
    if (first) callback(null, first.address, first.family);
    else callback(Object.assign(new Error(`${hostname} has no IPv${wanted} address`), { code: 'ENOTFOUND' }), '', 0);
  };

  async get(start: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<GuardedResponse> {
    let url = start;
    for (let hop = 0; ; hop++) {
      this.pinned.set(bareHost(url.hostname), await checkedAddresses(url, this.allow, this.resolve));
      const response = await this.agent.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'GET',
        headers,
        signal,
      });
      const location = REDIRECTS.has(response.statusCode) ? header(response, 'location') : undefined;
      if (location === undefined) {
        // The body may fail before anyone reads it (while the caller opens a file); reading it
        // still reports that failure, so it must not also crash the process as an unhandled event.
        response.body.on('error', () => {});
        return { response, url };
      }
      discard(response);
      if (hop >= MAX_REDIRECTS) {
        throw new DownloadRefused(
          'too_many_redirects',
          `${displayUrl(start)} redirected more than ${MAX_REDIRECTS} times; link to the file itself`,
        );
      }
      url = parseDownloadUrl(location, url);
    }
  }

  async close(): Promise<void> {
    await this.agent.destroy().catch(() => {});
  }
}

/** Drops a response's body; undici reports destroying an unread body as an error, expected here. */
export function discard(response: Dispatcher.ResponseData): void {
  if (response.body.listenerCount('error') === 0) response.body.on('error', () => {});
  response.body.destroy();
}

/** A response header as one string (the first value when repeated). */
export function header(response: Dispatcher.ResponseData, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function statusText(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}
