import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** nginx's workers: the master's children. */
export function workersOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
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
  const port = await new Promise<number>((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const own = path.join(dir, `nginx-${workers}`);
  mkdirSync(own);
  const conf = path.join(own, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes ${workers};
daemon off;
pid ${own}/nginx.pid;
error_log ${own}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${own}/body; proxy_temp_path ${own}/proxy; fastcgi_temp_path ${own}/fcgi;
  uwsgi_temp_path ${own}/uwsgi; scgi_temp_path ${own}/scgi;
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
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', own], { stdio: 'inherit' });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) =>
      http
        .get(`http://127.0.0.1:${port}/services/bench/`, (res) => resolve((res.resume(), res.statusCode === 200)))
        .on('error', () => resolve(false)),
    );
    if (ok) return { child, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer: ${readFileSync(path.join(own, 'error.log'), 'utf8')}`);
}
