import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipSettings } from '../../../services/replicaContainer.js';

export type { PipSettings };

/** How many of pip's last lines a failure message carries. */
const TAIL_LINES = 6;

/** pip's own options for the operator's package index (never a host of ours). */
export function pipIndexArgs(pip: PipSettings): string[] {
  return [
    ...(pip.noIndex ? ['--no-index'] : []),
    ...(pip.indexUrl ? ['--index-url', pip.indexUrl] : []),
    ...pip.extraIndexUrls.flatMap((url) => ['--extra-index-url', url]),
    ...pip.findLinks.flatMap((link) => ['--find-links', link]),
    ...pip.trustedHosts.flatMap((host) => ['--trusted-host', host]),
  ];
}

export interface RequirementsInstall {
  /** The version's folder: the venv goes to `<folder>/venv`, the text to `<folder>/requirements.txt`. */
  folder: string;
  /** The Python the venv is made from: the version's environment's, or python3. */
  python: string;
  requirements: string;
  pip: PipSettings;
  env: Record<string, string>;
  /** Each line of output, as it comes. */
  onLine: (line: string) => void;
  /** Aborting ends venv or pip (the version was stopped while installing). */
  signal?: AbortSignal;
}

/** The Python of a version's environment (a venv or conda prefix), or python3 from PATH. */
export function environmentPython(environment: string | undefined): string {
  return environment ? path.join(environment, 'bin', 'python') : 'python3';
}

/**
 * The version's own environment: a venv over the version's Python (`--system-site-packages`, so
 * what that Python has stays visible), with the requirements installed from the configured index.
 * Made once per version; its bin folder goes first on the replicas' PATH. Rejects with the command
 * and pip's last lines when it fails.
 */
export async function installRequirements(options: RequirementsInstall): Promise<{ venv: string; bin: string }> {
  const venv = path.join(options.folder, 'venv');
  const bin = path.join(venv, 'bin');
  await mkdir(options.folder, { recursive: true });
  if (!existsSync(path.join(bin, 'python'))) {
    options.onLine(`Creating the environment ${venv} from ${options.python}.`);
    await run(options.python, ['-m', 'venv', '--system-site-packages', venv], options);
  }
  const file = path.join(options.folder, 'requirements.txt');
  await writeFile(file, options.requirements.endsWith('\n') ? options.requirements : `${options.requirements}\n`);
  const args = [
    '-m',
    'pip',
    'install',
    '--disable-pip-version-check',
    '--no-input',
    ...pipIndexArgs(options.pip),
    '-r',
    file,
  ];
  options.onLine(`Installing the requirements: pip ${args.slice(2).join(' ')}`);
  await run(path.join(bin, 'python'), args, options);
  return { venv, bin };
}

function run(command: string, args: string[], options: RequirementsInstall): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const tail: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        options.onLine(line);
        tail.push(line.trim());
        if (tail.length > TAIL_LINES) tail.shift();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (error) =>
      reject(
        new Error(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${command} was not found; set the version's environment to a Python environment that exists`
            : `${command}: ${error.message}`,
        ),
      ),
    );
    child.once('close', (code, signal) => {
      if (code === 0) return resolve();
      const what = `${path.basename(command)} ${args.slice(0, 3).join(' ')}`;
      const status = signal ? `was ended by ${signal}` : `exited with code ${code}`;
      reject(new Error(`${what} ${status}${tail.length ? `: ${tail.join(' / ')}` : ''}`));
    });
  });
}
