import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../processes.js';

export interface NginxFront {
  /** `127.0.0.1:port`, for a registry reference. */
  host: string;
  url: string;
  close(): Promise<void>;
}

/**
 * Debian's nginx as the reverse proxy in front of a registry that many sites run, with its
 * request body limit (`client_max_body_size`): a larger upload chunk gets nginx's own 413.
 */
export async function startNginxFront(
  upstream: { host: string; port: number },
  maxBodySize: string,
): Promise<NginxFront> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-nginx-'));
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  for (const folder of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi']) await mkdir(path.join(dir, folder));
  await writeFile(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    client_max_body_size ${maxBodySize};
    location / {
      proxy_pass http://${upstream.host}:${upstream.port};
      proxy_set_header Host $http_host;
      proxy_request_buffering off;
      proxy_http_version 1.1;
    }
  }
}
`,
  );
  const child: ChildProcess = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) => (stderr += error.message));
  await waitForPort(
    port,
    () => child.exitCode !== null || child.signalCode !== null,
    () => stderr,
  );
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      child.kill('SIGQUIT');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, ended: () => boolean, stderr: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (ended()) throw new Error(`nginx did not start: ${stderr().trim() || 'it exited'}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not listen on ${port}: ${stderr().trim()}`);
}
