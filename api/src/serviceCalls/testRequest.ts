/*
 * The online test panel's call: one request to a service through the gateway with the connection's
 * token, the answer read as text up to a bound. Pure TypeScript (`fetch` and the clock are given), shared
 * by both IDEs.
 */

export const TEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type TestMethod = (typeof TEST_METHODS)[number];

/** The most of an answer's body the panel shows. */
export const TEST_BODY_MAX_CHARS = 64 * 1024;

export interface TestRequest {
  method: TestMethod;
  /** A path under the service, starting with `/` (a query allowed). */
  path: string;
  /** JSON text, sent with `content-type: application/json` when not empty. */
  body: string;
}

export interface TestResponse {
  status: number;
  statusText: string;
  contentType: string;
  /** Every header of the answer, as the server named them (lower case). */
  headers: [string, string][];
  body: string;
  truncated: boolean;
  elapsedMs: number;
}

/** Why a request cannot be sent as written, or undefined. */
export type TestRequestProblem = 'path' | 'json' | 'bodyWithGet';

export function testRequestProblem(request: TestRequest): TestRequestProblem | undefined {
  if (!request.path.startsWith('/') || /\s/.test(request.path)) return 'path';
  if (request.body.trim() === '') return undefined;
  if (request.method === 'GET') return 'bodyWithGet';
  try {
    JSON.parse(request.body);
    return undefined;
  } catch {
    return 'json';
  }
}

/**
 * The URL of a path under a service (its URL ends with `/`), percent-encoded as a URL must be
 * (spaces, non-ASCII) so that curl takes it pasted as it is; `%XX` already typed stays as typed.
 */
export function servicePathUrl(serviceUrl: string, path: string): string {
  const joined = `${serviceUrl.replace(/\/+$/, '')}${path}`;
  return URL.canParse(joined) ? new URL(joined).toString() : joined;
}

/** A JSON answer indented for reading; any other text as it came. */
export function prettyBody(body: string, contentType: string): string {
  if (!/json/i.test(contentType)) return body;
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export async function sendTestRequest(
  serviceUrl: string,
  token: string | undefined,
  request: TestRequest,
  options: { fetch?: typeof fetch; now?: () => number; signal?: AbortSignal } = {},
): Promise<TestResponse> {
  const now = options.now ?? (() => performance.now());
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const started = now();
  const hasBody = request.body.trim() !== '';
  const response = await doFetch(servicePathUrl(serviceUrl, request.path), {
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { body: request.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  const headers: [string, string][] = [];
  response.headers.forEach((value, key) => headers.push([key, value]));
  return {
    status: response.status,
    statusText: response.statusText,
    contentType: response.headers.get('content-type') ?? '',
    headers,
    body: text.slice(0, TEST_BODY_MAX_CHARS),
    truncated: text.length > TEST_BODY_MAX_CHARS,
    elapsedMs: Math.round(now() - started),
  };
}
