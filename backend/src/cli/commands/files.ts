import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { accessMessages } from '../accessMessages.js';
import { UsageError, type CliContext } from '../context.js';

const m = accessMessages.files;

/** The user's home: $HOME of the CLI's environment, else the OS's. */
export function homeDir(ctx: CliContext): string {
  return ctx.deps.env.HOME || homedir();
}

/** A file named on the command line: `~/…` is under the home, a relative one under the working dir. */
export function cliPath(ctx: CliContext, file: string): string {
  if (file === '~' || file.startsWith('~/')) return path.join(homeDir(ctx), file.slice(1));
  return path.resolve(ctx.deps.cwd ?? process.cwd(), file);
}

/** A file's text, or a usage error saying why it cannot be read. */
export async function readCliFile(ctx: CliContext, file: string): Promise<string> {
  try {
    return await readFile(cliPath(ctx, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? m.noSuchFile : code === 'EISDIR' ? m.isFolder : (error as Error).message;
    throw new UsageError(m.cannotRead(file, reason));
  }
}
