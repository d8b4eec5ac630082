import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CJSON_DIR, DATA_PLANE_LUA_DIR, dataPlaneMissing, LUA_MODULES, nginxTempPaths } from './nginxConfig.js';

/**
 * The data plane's signature and replay modules (appKeySignature.lua, replayWindow.lua), run in a
 * real nginx with Debian's Lua module: a location replays the operations each test posts and
 * answers their results.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-dataplane-lua-'));
const socket = path.join(dir, 'lua.sock');
let nginx: ChildProcess;

const DRIVER = `
local cjson = require "cjson.safe"
local signature = require "appKeySignature"
local replays = require "replayWindow"
ngx.req.read_body()
local results = {}
for i, op in ipairs(cjson.decode(ngx.req.get_body_data())) do
  if op.op == "matches" then
    results[i] = signature.matches(signature.key(op.secret), op.appKey, op.timestamp, op.sign)
  elseif op.op == "first_use" then
    results[i] = replays.first_use(op.appKey, op.signedAt, op.now, op.windowMs)
  elseif op.op == "sweep" then
    replays.sweep(op.now)
    results[i] = replays.count()
  end
end
ngx.say(cjson.encode(results))
`;

beforeAll(async () => {
  expect(dataPlaneMissing()).toEqual([]);
  writeFileSync(path.join(dir, 'driver.lua'), DRIVER);
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `${LUA_MODULES.map((module) => `load_module ${module};`).join('\n')}
${process.getuid?.() === 0 ? 'user root root;' : ''}
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events {}
http {
  access_log off;
  ${nginxTempPaths(dir)}
  client_body_buffer_size 1m;
  lua_package_path "${DATA_PLANE_LUA_DIR}?.lua;;";
  lua_package_cpath "${CJSON_DIR}/?.so;;";
  server { listen unix:${socket}; location / { content_by_lua_file ${dir}/driver.lua; } }
}
`,
  );
  nginx = spawn('nginx', ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  await vi.waitFor(() => run([]), { timeout: 5_000, interval: 50 });
});

afterAll(() => {
  nginx?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function run(ops: readonly Record<string, unknown>[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const request = http.request({ socketPath: socket, method: 'POST', path: '/' }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        res.statusCode === 200
          ? resolve(JSON.parse(text) as unknown[])
          : reject(new Error(`${res.statusCode}: ${text}`)),
      );
    });
    request.on('error', reject);
    // Debian's lua-cjson writes an empty table as {}: an empty list stands for no operations
    request.end(ops.length ? JSON.stringify(ops) : '[{}]');
  });
}

const openssl = (secret: string, message: string) =>
  execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret], { input: message }).toString().trim().split(/\s+/).pop()!;

describe('appKeySignature.lua', () => {
  const vectors: [string, string, string][] = [
    ['ak-0123456789abcdef', 'bench-secret', '1733400000000'],
    ['ak-x', 's'.repeat(64), '1733400000001'],
    // longer than SHA-1's block: HMAC keys with the secret's digest
    ['ak-long', 'L'.repeat(65) + '-secret', '1733400000002'],
    ['ak-utf8', '密钥-秘密', '1733400000003'],
    ['ak-empty-secret', '', '1'],
  ];

  it.each(vectors)('matches openssl dgst -sha1 -hmac for %s', async (appKey, secret, timestamp) => {
    const sign = openssl(secret, `${appKey}${secret}${timestamp}`);
    const flipped = sign.slice(0, 39) + (sign[39] === '0' ? '1' : '0');
    const results = await run([
      { op: 'matches', secret, appKey, timestamp, sign },
      { op: 'matches', secret, appKey, timestamp, sign: flipped },
      { op: 'matches', secret, appKey, timestamp, sign: sign.toUpperCase() },
      { op: 'matches', secret, appKey, timestamp: `${timestamp}0`, sign },
      { op: 'matches', secret: `${secret}x`, appKey, timestamp, sign },
      { op: 'matches', secret, appKey, timestamp, sign: sign.slice(0, 39) },
      { op: 'matches', secret, appKey, timestamp, sign: `${sign}0` },
    ]);
    // upper case is refused unless the Sign has no letters
    expect(results).toEqual([true, false, !/[a-f]/.test(sign), false, false, false, false]);
  });
});

describe('replayWindow.lua', () => {
  const windowMs = 300_000;
  const now = 1_733_400_000_000;
  const use = (appKey: string, signedAt: number, at = now, window = windowMs) => ({
    op: 'first_use',
    appKey,
    signedAt,
    now: at,
    windowMs: window,
  });

  it('lets a Timestamp in once per AppKey, at any place in the window and on both sides of now', async () => {
    const stamps = [now, now + 1, now - 1, now - windowMs, now + windowMs, now + 255, now + 256, now - 257];
    const results = await run([
      ...stamps.map((t) => use('ak-a', t)),
      ...stamps.map((t) => use('ak-a', t)),
      ...stamps.map((t) => use('ak-b', t)),
    ]);
    expect(results).toEqual([...stamps.map(() => true), ...stamps.map(() => false), ...stamps.map(() => true)]);
  });

  it('still refuses a replay at the end of the window, after the ring went round once', async () => {
    // Calls for ten minutes, one every 100 ms, Timestamps up to the window's edge in the future and past
    const ops = [];
    for (let at = now; at < now + 2 * windowMs; at += 100)
      ops.push(use('ak-round', at + (at % 3 === 0 ? windowMs : -windowMs), at));
    const first = await run(ops);
    expect(first.every((r) => r === true)).toBe(true);
    const later = now + 2 * windowMs;
    const replays = await run(
      ops.filter((op) => Math.abs(op.signedAt - later) <= windowMs).map((op) => use('ak-round', op.signedAt, later)),
    );
    expect(replays.length).toBeGreaterThan(1000);
    expect(replays.every((r) => r === false)).toBe(true);
  });

  it('takes Timestamps again once their slots went to newer ones (they had left the window by then)', async () => {
    // A second of every millisecond, then a second of them a whole ring later, in the same slots
    const range = (from: number, at: number) => Array.from({ length: 1024 }, (_, i) => use('ak-slot', from + i, at));
    const later = now + 2 * windowMs + 1024;
    expect((await run(range(now, now))).every((r) => r === true)).toBe(true);
    expect((await run(range(later, later + 512))).every((r) => r === true)).toBe(true);
    expect((await run(range(later, later + 512))).every((r) => r === false)).toBe(true);
  });

  it('refuses a Timestamp whose slot holds a newer one (the clock went back): it cannot tell', async () => {
    const results = await run([use('ak-back', now + 2 * windowMs + 3 * 256), use('ak-back', now, now)]);
    expect(results).toEqual([true, false]);
  });

  it('starts again when the window changes, and frees an AppKey unused for two windows', async () => {
    const results = await run([
      use('ak-sweep', now, now, 1000),
      use('ak-sweep', now, now, 1000),
      use('ak-sweep', now, now, 2000),
      { op: 'sweep', now: now + 4000 },
      { op: 'sweep', now: now + 4001 },
    ]);
    expect(results.slice(0, 3)).toEqual([true, false, true]);
    expect(results[4]).toBe((results[3] as number) - 1);
  });
});
