import { spawn } from 'node:child_process';
import { lstat, mkdir, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import type { GitRepositoryStatus } from '@aiplat/api';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { CloneRequest, DevMachineLifecycle } from '../../../devmachines/engine.js';
import { cloneEnv, redacted, type CloneEnvOptions } from './gitCloneEnv.js';
import { LifecycleLog } from './lifecycleLog.js';

export const CLONE_TIMEOUT_MS = 10 * 60_000;
/** How many of git's last lines a failure carries. */
const TAIL_LINES = 6;
const MAX_MESSAGE_CHARS = 1_000;

export interface CloneContext extends CloneEnvOptions {
  /** Where the clone goes on this machine (`<working dir>/<folder>`). */
  dest: string;
  /** The folder as its owner sees it (relative to /work), for messages. */
  shownPath?: string;
  timeoutMs?: number;
  /** Aborted when the machine is stopped meanwhile: git is ended and its half clone removed. */
  signal?: AbortSignal;
  /** Each line git writes (secrets redacted), for the machine's log. */
  onLine?(text: string): void;
}

export type CloneOutcome = { ok: true; note?: string } | { ok: false; message: string };

/**
 * Clones one repository with the real git (full history, the branch checked out when named). A
 * folder already there is kept: a clone of the same URL counts as cloned, anything else fails the
 * repository. A failed clone leaves no folder behind; its message is git's, secrets redacted.
 */
export async function cloneRepository(request: CloneRequest, context: CloneContext): Promise<CloneOutcome> {
  const shown = context.shownPath ?? context.dest;
  const existing = await folderState(context.dest);
  if (existing === 'non-empty') return existingClone(request.url, context.dest, shown);
  if (existing === 'other') return { ok: false, message: `${shown} exists and is not a folder: move it away` };
  const prepared = await cloneEnv(request.url, request.credential, context);
  try {
    // Run from the parent folder, so git names the clone by its folder only, not by this machine's path.
    const parent = path.dirname(context.dest);
    await mkdir(parent, { recursive: true });
    const branch = request.branch ? ['--branch', request.branch] : [];
    const args = ['clone', ...branch, '--', request.url, path.basename(context.dest)];
    const run = await runGit(args, {
      cwd: parent,
      env: prepared.env,
      timeoutMs: context.timeoutMs ?? CLONE_TIMEOUT_MS,
      ...(context.signal ? { signal: context.signal } : {}),
      onLine: (line) => context.onLine?.(redacted(line, prepared.secrets)),
    });
    if (run.ok) return { ok: true };
    // git cleans up after its own failures, but not after being killed.
    if (existing === 'missing') await rm(context.dest, { recursive: true, force: true });
    else await emptyFolder(context.dest);
    return { ok: false, message: redacted(run.reason, prepared.secrets) };
  } finally {
    await prepared.dispose();
  }
}

async function folderState(dest: string): Promise<'missing' | 'empty' | 'non-empty' | 'other'> {
  const stats = await lstat(dest).catch(() => undefined);
  if (!stats) return 'missing';
  if (!stats.isDirectory()) return 'other';
  return (await readdir(dest)).length === 0 ? 'empty' : 'non-empty';
}

async function emptyFolder(dest: string): Promise<void> {
  for (const entry of await readdir(dest).catch(() => [])) {
    await rm(path.join(dest, entry), { recursive: true, force: true });
  }
}

/** A folder in the way: fine when it is the top of a clone of `url` (a clone left by an earlier start, or the owner's own). */
async function existingClone(url: string, dest: string, shown: string): Promise<CloneOutcome> {
  const refused: CloneOutcome = {
    ok: false,
    message: `${shown} exists and is not a clone of ${url}: move it away (or remove the repository from the dev machine)`,
  };
  // Whoever owns the folder, only reading it: git refuses folders of other users otherwise.
  const env = { ...process.env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'safe.directory', GIT_CONFIG_VALUE_0: '*' };
  const top = await gitOutput(['rev-parse', '--show-toplevel'], dest, env);
  if (top === undefined || path.resolve(top) !== (await realpath(dest))) return refused;
  const remotes = await gitOutput(['config', '--get-regexp', '^remote\\..*\\.url$'], dest, env);
  const urls = (remotes ?? '').split('\n').map((line) => line.split(' ').slice(1).join(' '));
  if (!urls.some((remote) => sameUrl(remote, url))) return refused;
  return { ok: true, note: 'the folder was already a clone of it, and is left as it is' };
}

const sameUrl = (a: string, b: string) => {
  const plain = (url: string) => url.replace(/\/+$/, '').replace(/\.git$/, '');
  return plain(a) === plain(b);
};

function gitOutput(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? out.trim() : undefined));
  });
}

type GitRun = { ok: true } | { ok: false; reason: string };

/** git in its own process group (its helpers, git-remote-https and ssh, end with it), ended at the timeout. */
function runGit(
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    signal?: AbortSignal;
    onLine(line: string): void;
  },
): Promise<GitRun> {
  return new Promise((resolve) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const tail: string[] = [];
    let ended: string | undefined;
    let partial = '';
    const take = (chunk: string) => {
      const lines = (partial + chunk).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) note(line);
    };
    const note = (line: string) => {
      if (!line.trim()) return;
      options.onLine(line);
      if (line.startsWith('Cloning into ')) return;
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
    };
    const end = (why: string) => {
      ended ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    };
    const timer = setTimeout(() => {
      const minutes = options.timeoutMs / 60_000;
      end(
        `git clone did not finish within ${Number.isInteger(minutes) ? `${minutes} min` : `${options.timeoutMs / 1000} s`}`,
      );
    }, options.timeoutMs);
    const onAbort = () => end('the dev machine was stopped while cloning');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.stdout.setEncoding('utf8').on('data', take);
    child.stderr.setEncoding('utf8').on('data', take);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `could not run git: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      note(partial);
      if (code === 0 && ended === undefined) return resolve({ ok: true });
      const said = tail.join('\n').slice(-MAX_MESSAGE_CHARS);
      const reason = ended ?? `git clone exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
      resolve({ ok: false, reason: said ? `${ended ? `${reason}; ` : ''}${said}` : reason });
    });
  });
}

export interface RepositoryClonesRun {
  machine: DevMachineRecord;
  repositories: readonly CloneRequest[];
  /** The working dir on this machine (the host folder a container mounts). */
  workingDir: string;
  /** The machine's runtime folder (0700): its known_hosts and, during a clone, a key file. */
  runtimeDir: string;
  /** The machine's lifecycle log: git's output goes there. */
  logFile: string;
  lifecycle: DevMachineLifecycle;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A start's clones, one after the other, before its lifecycle scripts: each repository gets an
 * event and a status (cloned, or failed with git's message). A failed clone does not fail the start.
 */
export async function cloneRepositories(run: RepositoryClonesRun): Promise<void> {
  if (run.repositories.length === 0) return;
  const log = await LifecycleLog.open(run.logFile);
  const readOnly = run.machine.spec.workingDir.split('/')[0] === 'mount';
  try {
    for (const request of run.repositories) {
      if (run.signal?.aborted) return;
      const shownPath = path.posix.join(run.machine.spec.workingDir, request.folder);
      const branch = request.branch ? ` (branch ${request.branch})` : '';
      log.line('platform', `clone: ${request.url}${branch} into ${shownPath}`);
      const outcome: CloneOutcome = readOnly
        ? {
            ok: false,
            message: `${shownPath} is under /work/mount, which is read-only: use a working dir under home or cache`,
          }
        : await cloneRepository(request, {
            dest: path.join(run.workingDir, request.folder),
            shownPath,
            knownHostsFile: path.join(run.runtimeDir, 'known_hosts'),
            secretsDir: run.runtimeDir,
            ...(run.timeoutMs !== undefined ? { timeoutMs: run.timeoutMs } : {}),
            ...(run.signal ? { signal: run.signal } : {}),
            onLine: (text) => log.line('err', text),
          }).catch((error: unknown): CloneOutcome => ({ ok: false, message: (error as Error).message }));
      const status: GitRepositoryStatus = {
        url: request.url,
        path: shownPath,
        state: outcome.ok ? 'cloned' : 'failed',
        ...(outcome.ok ? (outcome.note ? { message: outcome.note } : {}) : { message: outcome.message }),
        at: new Date().toISOString(),
      };
      const message = outcome.ok
        ? `Cloned ${request.url}${branch} into ${shownPath}${outcome.note ? `: ${outcome.note}` : ''}.`
        : `Could not clone ${request.url}${branch} into ${shownPath}: ${outcome.message}`;
      log.line('platform', `clone: ${message}`);
      run.lifecycle.observed(run.machine.id, {
        repositories: [status],
        event: { type: outcome.ok ? 'repository-cloned' : 'repository-failed', message },
      });
    }
  } finally {
    await log.close();
  }
}
