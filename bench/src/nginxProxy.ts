import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { nginxTempPaths } from '@aiplat/backend/services/dataplane/nginxConfig.js';

/** nginx's workers: the master's children. */
export function workersOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** A free loopback port. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
}

/** The directives every bench nginx shares: its files in `own`, no access log. */
export function nginxMain(own: string, workers: number, loadModules: readonly string[] = []): string {
  return `${loadModules.map((module) => `load_module ${module};\n`).join('')}worker_processes ${workers};
daemon off;
pid ${own}/nginx.pid;
error_log ${own}/error.log;
events { worker_connections 1024; }
`;
}

/** Starts nginx on `conf` and resolves once `probeUrl` answers 200 (`probeHeaders` sent). */
export async function startNginx(
  own: string,
  conf: string,
  probeUrl: string,
  probeHeaders: () => Record<string, string> = () => ({}),
): Promise<ChildProcess> {
  const file = path.join(own, 'nginx.conf');
  writeFileSync(file, conf);
  const child = spawn('nginx', ['-c', file, '-p', own], { stdio: 'inherit' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) =>
      http
        .get(probeUrl, { headers: probeHeaders() }, (res) => resolve((res.resume(), res.statusCode === 200)))
        .on('error', () => resolve(false)),
    );
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`nginx did not answer: ${readFileSync(path.join(own, 'error.log'), 'utf8')}`);
}

/**
 * Debian's nginx as a plain reverse proxy in front of a local upstream, with `workers` worker
 * processes and keep-alive upstream connections: `/services/bench/…` goes to the upstream's `/…`.
 * Its files live in `dir/nginx-<workers>`; it answers before this resolves.
 */
export async function nginxProxy(
  dir: string,
  upstreamPort: number,
  workers: number,
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freeLoopbackPort();
  const own = path.join(dir, `nginx-${workers}`);
  mkdirSync(own);
  const conf = `${nginxMain(own, workers)}http {
  access_log off;
  ${nginxTempPaths(own)}
  upstream model { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location /services/bench/ {
      proxy_pass http://model/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  const child = await startNginx(own, conf, `http://127.0.0.1:${port}/services/bench/`);
  return { child, port };
}
