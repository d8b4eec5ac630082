/*
 * The online test panel's call (pure TypeScript; `fetch` is given): one request to a service through
 * the gateway with the connection's token, the answer read as text up to a limit.
 */

export const TEST_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type TestMethod = (typeof TEST_METHODS)[number];

/** The most of an answer's body the page is shown. */
export const TEST_BODY_MAX_CHARS = 64 * 1024;

export interface TestRequest {
  method: TestMethod;
  /** A path under the service, starting with `/` (query allowed). */
  path: string;
  /** JSON text; sent with `content-type: application/json` when not empty. */
  body: string;
}

export interface TestResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
  truncated: boolean;
  elapsedMs: number;
}

/** What is wrong with a request before it is sent, or undefined. */
export function testRequestProblem(request: TestRequest): 'path' | 'json' | 'bodyWithGet' | undefined {
  if (!request.path.startsWith('/')) return 'path';
  if (/\s/.test(request.path)) return 'path';
  if (request.body.trim() === '') return undefined;
  if (request.method === 'GET') return 'bodyWithGet';
  try {
    JSON.parse(request.body);
    return undefined;
  } catch {
    return 'json';
  }
}

/** The URL of a path under a service (its full URL ends with `/`). */
export function servicePathUrl(serviceUrl: string, path: string): string {
  return `${serviceUrl.replace(/\/+$/, '')}${path}`;
}

export async function sendTestRequest(
  serviceUrl: string,
  token: string | undefined,
  request: TestRequest,
  options: { fetch?: typeof fetch; now?: () => number; signal?: AbortSignal } = {},
): Promise<TestResponse> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const hasBody = request.body.trim() !== '';
  const response = await (options.fetch ?? fetch)(servicePathUrl(serviceUrl, request.path), {
    method: request.method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
    },
    ...(hasBody ? { body: request.body } : {}),
    signal: options.signal,
  });
  const text = await response.text();
  const headers: [string, string][] = [];
  response.headers.forEach((value, key) => headers.push([key, value]));
  return {
    status: response.status,
    statusText: response.statusText,
    headers,
    body: text.slice(0, TEST_BODY_MAX_CHARS),
    truncated: text.length > TEST_BODY_MAX_CHARS,
    elapsedMs: Math.round(now() - started),
  };
}
