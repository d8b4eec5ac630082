import { ApiError, ErrorBodySchema } from './errors.js';
import { buildPath, routes, type RouteInput, type RouteOutput, type Routes } from './routes.js';
import { API_VERSION, isCompatibleApiVersion } from './version.js';

export interface ClientOptions {
  /** e.g. `http://127.0.0.1:8080`; the routes' paths are appended. */
  baseUrl: string;
  token?: string | (() => string | undefined);
  /** Defaults to the global `fetch`; pass one to run inside VS Code, tests or a proxy. */
  fetch?: typeof fetch;
  /** Parse responses with the contract's schemas (catches drift); on by default. */
  validateResponses?: boolean;
}

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

// `{}` is the idiom here: an input type with nothing required is assignable from `{}`.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
type HasRequired<T> = {} extends T ? false : true;

export type ClientMethod<R> =
  HasRequired<RouteInput<R>> extends true
    ? (input: RouteInput<R>, options?: CallOptions) => Promise<RouteOutput<R>>
    : (input?: RouteInput<R>, options?: CallOptions) => Promise<RouteOutput<R>>;

export type ApiClient = { [K in keyof Routes]: ClientMethod<Routes[K]> } & {
  /** Fetches `/api/info` and checks the server speaks a compatible API version. */
  connect(options?: CallOptions): Promise<RouteOutput<Routes['info']>>;
  readonly baseUrl: string;
};

function toQueryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return ApiError.fromBody(parsed.data);
  } catch {
    // not JSON: fall through to a generic error carrying the status
  }
  const code =
    response.status === 401
      ? 'unauthorized'
      : response.status === 404
        ? 'not_found'
        : response.status >= 500
          ? 'internal'
          : 'bad_request';
  return new ApiError(code, text.slice(0, 500) || `HTTP ${response.status}`, { status: response.status });
}

export function createClient(options: ClientOptions): ApiClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const validate = options.validateResponses ?? true;
  const token = () => (typeof options.token === 'function' ? options.token() : options.token);

  async function call(name: keyof Routes, input: Record<string, unknown> = {}, callOptions: CallOptions = {}) {
    const def = routes[name];
    const url = `${baseUrl}${buildPath(def.path, input.params as Record<string, unknown>)}${toQueryString(input.query as Record<string, unknown>)}`;
    const headers: Record<string, string> = { ...callOptions.headers };
    const bearer = token();
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    const init: RequestInit & { duplex?: 'half' } = { method: def.method.toUpperCase(), headers };
    if (callOptions.signal) init.signal = callOptions.signal;
    if (def.transfer === 'upload') {
      headers['content-type'] = 'application/octet-stream';
      init.body = input.data as BodyInit;
      if (typeof ReadableStream !== 'undefined' && init.body instanceof ReadableStream) init.duplex = 'half';
    } else if ('body' in def && input.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(input.body);
    }
    let response: Response;
    try {
      response = await doFetch(url, init);
    } catch (cause) {
      if (callOptions.signal?.aborted) throw cause;
      throw new ApiError('network', `cannot reach ${baseUrl}: ${String(cause)}`, { cause });
    }
    if (!response.ok) throw await errorFromResponse(response);
    if (def.transfer === 'download') return response;
    if (def.transfer === 'text') return response.text();
    const json: unknown = await response.json();
    if (!validate) return json;
    const parsed = def.response.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        'invalid_response',
        `response of ${name} does not match the contract: ${parsed.error.message}`,
      );
    }
    return parsed.data;
  }

  const client: Record<string, unknown> = { baseUrl };
  for (const name of Object.keys(routes) as (keyof Routes)[]) {
    client[name] = (input?: Record<string, unknown>, callOptions?: CallOptions) => call(name, input, callOptions);
  }
  client.connect = async (callOptions?: CallOptions) => {
    const info = (await call('info', {}, callOptions)) as RouteOutput<Routes['info']>;
    if (!isCompatibleApiVersion(info.apiVersion)) {
      throw new ApiError(
        'version_mismatch',
        `the server speaks API ${info.apiVersion}, this client ${API_VERSION}: update the extension or the server`,
      );
    }
    return info;
  };
  return client as ApiClient;
}
