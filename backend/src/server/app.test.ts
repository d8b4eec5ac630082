import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_VERSION_HEADER, buildPath, ErrorBodySchema, ROUTE_NAMES, routes, type RouteDef } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';

let f: PlatformFixture;
beforeAll(async () => {
  f = await startPlatform({ allowedOrigins: ['http://lab.example:8888'] });
});
afterAll(() => f.close());

async function errorOf(response: Response) {
  return ErrorBodySchema.parse(await response.json()).error;
}

describe('the HTTP app over real sockets', () => {
  it('mounts every route of the contract, each reaching its handler', async () => {
    expect([...f.platform.server.mountedRoutes].sort()).toEqual([...ROUTE_NAMES].sort());
    for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
      const url = buildPath(def.path, {
        id: 'no-such-job',
        name: 'no-such-service',
        appKey: 'ak-0000000000000000',
        kind: 'datasets',
        version: 'v1',
        shareId: 'sh-000000000000',
        taskId: 'at-000000000000',
      });
      const response = await f.fetch(url, { method: def.method.toUpperCase() });
      const text = await response.text();
      // Whatever the handler makes of an empty request, the router must not answer "no route".
      expect(text, `${name} ${def.method} ${url}`).not.toMatch(/no route/);
    }
  });

  it('answers health probes without a token and everything else only with one', async () => {
    expect(await (await f.fetch('/healthz', {}, null)).json()).toEqual({ status: 'ok' });
    const ready = await f.fetch('/readyz', {}, null);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      checks: { store: { ok: true }, workRoot: { ok: true } },
    });
    for (const path of ['/api/info', '/metrics', '/api/openapi.json', '/api/files?path=home']) {
      const response = await f.fetch(path, {}, null);
      expect(response.status, path).toBe(401);
      expect((await errorOf(response)).code).toBe('unauthorized');
    }
    const wrong = await fetch(`${f.baseUrl}/api/info`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(wrong.status).toBe(401);
  });

  it('asks for a bearer token in every 401 (WWW-Authenticate)', async () => {
    for (const authorization of [undefined, 'Bearer not-a-token', 'Basic YWxpY2U6eA==']) {
      const response = await fetch(`${f.baseUrl}/api/info`, authorization ? { headers: { authorization } } : {});
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate'), authorization).toMatch(/^Bearer( |$)/);
    }
    const ok = await f.fetch('/api/info');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('www-authenticate')).toBeNull();
  });

  it('refuses JSON in a charset other than UTF-8 with a 415 naming it', async () => {
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1']) {
      const response = await f.fetch('/api/files/mkdir', {
        method: 'POST',
        headers: { 'content-type': `application/json; charset=${charset}` },
        body: Buffer.from(JSON.stringify({ path: 'home/x' }), charset === 'iso-8859-1' ? 'latin1' : 'utf16le'),
      });
      expect(response.status, charset).toBe(415);
      const error = await errorOf(response);
      expect(error.code).toBe('unsupported_media_type');
      expect(error.message).toBe(`only UTF-8 JSON is accepted; the request says charset=${charset}`);
    }
    const utf8 = await f.fetch('/api/files/mkdir', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify({ path: 'home/utf8-dir' }),
    });
    expect(utf8.status).toBe(200);
  });

  it('maps tokens to users', async () => {
    expect((await f.client('alice').info()).user).toBe('alice');
    expect((await f.client('bob').info()).user).toBe('bob');
  });

  it('rejects bad requests with 400 naming the field', async () => {
    const limit = await f.fetch('/api/files?path=home&limit=abc');
    expect(limit.status).toBe(400);
    const error = await errorOf(limit);
    expect(error.code).toBe('validation_failed');
    expect(error.issues?.[0]?.path).toBe('query.limit');
    const tooMany = await errorOf(await f.fetch('/api/files?path=home&limit=999999'));
    expect(tooMany.issues?.[0]).toMatchObject({ path: 'query.limit', message: expect.stringMatching(/5000/) });
    const sort = await errorOf(await f.fetch('/api/files?sort=colour'));
    expect(sort.issues?.[0]?.path).toBe('query.sort');
    const body = await f.fetch('/api/files/mkdir', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(body.status).toBe(400);
    expect((await errorOf(body)).issues?.[0]?.path).toBe('body.path');
    const broken = await f.fetch('/api/files/mkdir', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"path":',
    });
    expect(broken.status).toBe(400);
    expect((await errorOf(broken)).message).toMatch(/not valid JSON/);
    const form = await f.fetch('/api/files/mkdir', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'path=home/x',
    });
    expect(form.status).toBe(415);
  });

  it('answers unknown routes with a JSON 404 and never a stack trace', async () => {
    const response = await f.fetch('/api/nope');
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(ErrorBodySchema.parse(JSON.parse(text)).error.code).toBe('not_found');
  });

  it('echoes a request id, makes one when absent, and states the API version', async () => {
    const given = await f.fetch('/api/info', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    expect(given.headers.get(API_VERSION_HEADER)).toBe('1.0');
    const made = await f.fetch('/api/files?limit=abc');
    const id = made.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await errorOf(made)).requestId).toBe(id);
  });

  it('applies the CORS allow-list', async () => {
    const allowed = await f.fetch('/api/info', { headers: { origin: 'http://lab.example:8888' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://lab.example:8888');
    const preflight = await fetch(`${f.baseUrl}/api/files/content?path=home/a`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://lab.example:8888',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const foreign = await f.fetch('/api/info', { headers: { origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect((await errorOf(foreign)).message).toMatch(/allowedOrigins/);
  });

  it('exports Prometheus metrics per route', async () => {
    await f.fetch('/api/files?path=mount');
    const text = await f.client().metrics();
    expect(text).toMatch(/aiplat_http_requests_total\{method="get",route="\/api\/files",status="200"\} \d+/);
    expect(text).toMatch(/aiplat_http_request_duration_seconds_bucket/);
    expect(text).toMatch(/aiplat_ws_connections 0/);
  });

  it('serves the OpenAPI document generated from the contract', async () => {
    const doc = (await f.client().openapi()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    expect(operations.sort()).toEqual([...ROUTE_NAMES].sort());
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Every $ref resolves inside the document.
    expect(validator.resolveRefs()).toBeTruthy();
  });
});

describe('graceful shutdown', () => {
  it('lets an in-flight upload finish, then refuses new connections', async () => {
    const g = await startPlatform();
    let push!: (chunk: Uint8Array | null) => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (chunk) => (chunk ? controller.enqueue(chunk) : controller.close());
      },
    });
    const upload = g.fetch('/api/files/content?path=home/slow.bin', {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    push(new Uint8Array(1024));
    await new Promise((r) => setTimeout(r, 50));
    const closing = g.platform.close();
    push(new Uint8Array(1024));
    push(null);
    const response = await upload;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ path: 'home/slow.bin', size: 2048 });
    await closing;
    await expect(fetch(`${g.baseUrl}/healthz`)).rejects.toThrow();
    await g.close();
  });
});
