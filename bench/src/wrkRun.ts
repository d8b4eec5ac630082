import { execFileSync } from 'node:child_process';
import { cpuSeconds } from './procStats.js';

export interface WrkResult {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  requests: number;
  /** CPU time of the measured processes per request (user + system), when pids were given. */
  cpuUs?: number;
  /** The same, per process (in the order of the pids). */
  cpuUsEach?: number[];
}

/** wrk's latency figure (e.g. 812.00us, 1.52ms) in milliseconds. */
function toMs(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text);
  if (!match) return NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

/**
 * One wrk run (one thread, `--latency`) against `url`, with the CPU time per request of `pids`
 * (together and each).
 */
export function wrk(
  url: string,
  seconds: number,
  extra: string[] = [],
  connections: number,
  pids: readonly number[] = [],
): WrkResult {
  const cpuBefore = pids.map((pid) => cpuSeconds([pid]));
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...extra, url], {
    encoding: 'utf8',
  });
  const cpuEach = pids.map((pid, i) => cpuSeconds([pid]) - cpuBefore[i]!);
  const cpu = cpuEach.reduce((sum, each) => sum + each, 0);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = toMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = toMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const perCall = (seconds: number) => (seconds / requests) * 1e6;
  return {
    rps,
    p50,
    p99,
    non2xx,
    requests,
    ...(pids.length && requests ? { cpuUs: perCall(cpu), cpuUsEach: cpuEach.map(perCall) } : {}),
  };
}
