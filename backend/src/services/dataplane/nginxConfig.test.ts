import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nginxConfig } from './nginxConfig.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-nginx-conf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (host: string) =>
  nginxConfig({
    host,
    port: 18080,
    backendSocket: path.join(dir, 'backend.sock'),
    controlSocket: path.join(dir, 'control.sock'),
    dir,
    runAsRoot: process.getuid?.() === 0,
    shutdownGraceMs: 2500,
    backendPid: process.pid,
  });

describe("the data plane's nginx.conf", () => {
  it("is one nginx takes (nginx -t, with Debian's Lua module)", () => {
    const file = path.join(dir, 'nginx.conf');
    writeFileSync(file, config('127.0.0.1'));
    const out = execFileSync('nginx', ['-t', '-c', file, '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toBe('');
  });

  it('listens as Node.js would: :: takes IPv4 too, IPv6 addresses in brackets', () => {
    expect(config('::')).toContain('listen [::]:18080 ipv6only=off;');
    expect(config('::1')).toContain('listen [::1]:18080;');
    expect(config('0.0.0.0')).toContain('listen 0.0.0.0:18080;');
  });

  it('lets calls in flight finish within the grace when it stops (whole seconds, at least one)', () => {
    expect(config('127.0.0.1')).toContain('worker_shutdown_timeout 3s;');
  });
});
