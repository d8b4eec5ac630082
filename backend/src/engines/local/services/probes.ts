import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { ServiceProbe } from '@aiplat/api';
import type { ProbeResult } from './replicaRules.js';

/** The readiness probe a version gets when it names none: a TCP connect to its port every second. */
export const DEFAULT_READINESS: ServiceProbe = {
  type: 'tcp',
  initialDelaySeconds: 0,
  periodSeconds: 1,
  timeoutSeconds: 1,
  failureThreshold: 1,
};

/**
 * One probe against a replica listening on `port` on loopback: an HTTP GET answered 2xx or 3xx, a
 * TCP connect, or a shell command exiting 0, each within the probe's timeout. True when healthy,
 * else why not.
 */
export async function runProbe(
  probe: ServiceProbe,
  port: number,
  context: {
    cwd: string;
    env: Record<string, string>;
    /** Runs an exec probe's command where the replica runs (its container), instead of here. */
    exec?: (command: string, timeoutMs: number) => Promise<ProbeResult>;
  },
): Promise<ProbeResult> {
  const timeoutMs = probe.timeoutSeconds * 1000;
  const target = probe.port ?? port;
  if (probe.type === 'tcp') return tcpConnects(target, timeoutMs);
  if (probe.type === 'http') return httpAnswers(target, probe.path ?? '/', timeoutMs);
  if (context.exec) return context.exec(probe.command ?? 'true', timeoutMs);
  return commandSucceeds(probe.command ?? 'true', context, timeoutMs);
}

function tcpConnects(port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no TCP connection to port ${port} within ${timeoutMs} ms`));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(`port ${port}: ${error.code ?? error.message}`));
  });
}

function httpAnswers(port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      resolve(status >= 200 && status < 400 ? true : `GET ${path} answered ${status}`);
    });
    req.once('timeout', () => {
      req.destroy();
      resolve(`GET ${path} did not answer within ${timeoutMs} ms`);
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve(`GET ${path}: ${error.code ?? error.message}`));
  });
}

function commandSucceeds(
  command: string,
  context: { cwd: string; env: Record<string, string> },
  timeoutMs: number,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    // Its own process group, so a timeout ends whatever the command started too.
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: context.cwd,
      env: context.env,
      stdio: 'ignore',
      detached: true,
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      resolve(`${command} did not finish within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve(`${command}: ${error.message}`);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? true : `${command} exited with code ${code}`);
    });
  });
}
