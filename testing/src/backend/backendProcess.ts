import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built backend entry point, as `npm start` runs it. */
export const BUILT_MAIN = fileURLToPath(new URL('../../../backend/dist/main.js', import.meta.url));
/** `npm start` itself: builds what it needs, then runs BUILT_MAIN. */
export const START_SCRIPT = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

export interface BackendProcess {
  child: ChildProcess;
  /** Everything it printed until its banner. */
  banner: string;
  url: string;
  /** Everything it printed so far. */
  output(): string;
}

/**
 * Starts the built backend (or `entry`, e.g. START_SCRIPT) as a process in `cwd` with only `env`
 * (and PATH), and waits up to `timeoutMs` for its banner.
 */
export async function startBackendProcess(
  cwd: string,
  env: Record<string, string>,
  options: { entry?: string; timeoutMs?: number } = {},
): Promise<BackendProcess> {
  if (!existsSync(BUILT_MAIN)) throw new Error(`build first (npx tsc -b): no ${BUILT_MAIN}`);
  const child = spawn(process.execPath, [options.entry ?? BUILT_MAIN], {
    cwd,
    // The default dev machine only where a test turns it on (AIPLAT_DEV_MACHINE=on): its IDEs would
    // outlive tests that kill the backend on purpose. No container runtime either unless asked for
    // (AIPLAT_CONTAINERS): each backend would start a Podman service of its own.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LOG_LEVEL: 'warn',
      AIPLAT_DEV_MACHINE: 'off',
      AIPLAT_CONTAINERS: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match && out.includes('token:')) return { child, banner: out, url: match[1]!, output: () => out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`backend did not start:\n${out}`);
}

export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
