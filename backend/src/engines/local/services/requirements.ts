import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface PipSettings {
  indexUrl?: string;
  extraIndexUrls: readonly string[];
  findLinks: readonly string[];
  trustedHosts: readonly string[];
  noIndex: boolean;
}

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

/**
 * The version's own environment: a venv over the version's Python (its packages visible), with the
 * requirements installed from the configured index. Made once per version; its bin folder goes
 * first on the replicas' PATH.
 */
export async function installRequirements(options: {
  folder: string;
  python: string;
  requirements: string;
  pip: PipSettings;
  env: Record<string, string>;
  /** Each line of output, as it comes. */
  onLine: (line: string) => void;
}): Promise<{ bin: string }> {
  const venv = path.join(options.folder, 'venv');
  const bin = path.join(venv, 'bin');
  if (!existsSync(path.join(bin, 'python'))) {
    await mkdir(options.folder, { recursive: true });
    await run(options.python, ['-m', 'venv', '--system-site-packages', venv], options);
  }
  const file = path.join(options.folder, 'requirements.txt');
  await writeFile(file, options.requirements);
  await run(
    path.join(bin, 'python'),
    ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...pipIndexArgs(options.pip), '-r', file],
    options,
  );
  return { bin };
}

function run(
  command: string,
  args: string[],
  options: { env: Record<string, string>; onLine: (line: string) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const take = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        options.onLine(line);
        tail.push(line);
        if (tail.length > 5) tail.shift();
      }
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.once('error', (error) => reject(new Error(`${command}: ${error.message}`)));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${path.basename(command)} ${args.slice(0, 3).join(' ')} exited with code ${code}: ${tail.join(' | ')}`,
            ),
          ),
    );
  });
}
