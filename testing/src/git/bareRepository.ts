import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Runs git with a fixed identity and none of the caller's config; throws with git's stderr. */
export function git(args: string[], cwd?: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.tmpdir(),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

/**
 * A bare repository `<root>/<name>.git` with a commit on `main` (README.md says "main") and one
 * more on `feature` (feature.txt), pushed from a scratch clone; HEAD names main.
 */
export function makeBareRepository(root: string, name: string): string {
  const bare = path.join(root, `${name}.git`);
  git(['init', '--bare', '--initial-branch=main', bare]);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'aiplat-git-scratch-'));
  try {
    git(['init', '--initial-branch=main', scratch]);
    writeFileSync(path.join(scratch, 'README.md'), `# ${name}\nmain\n`);
    git(['add', 'README.md'], scratch);
    git(['commit', '-m', 'first'], scratch);
    git(['checkout', '-b', 'feature'], scratch);
    writeFileSync(path.join(scratch, 'feature.txt'), 'feature\n');
    git(['add', 'feature.txt'], scratch);
    git(['commit', '-m', 'feature'], scratch);
    git(['push', bare, 'main', 'feature'], scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return bare;
}
