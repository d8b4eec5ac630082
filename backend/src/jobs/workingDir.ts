import { mkdir, stat } from 'node:fs/promises';
import { ApiError, type JobSpec } from '@aiplat/api';
import type { PathResolver } from '../workspace/pathResolver.js';

/**
 * Resolves a job's working directory (relative to /work, `home` being the user's own) to a real
 * folder inside the work root; a 400 naming `workingDir` says what is wrong.
 */
export function workingDirResolver(resolver: PathResolver) {
  return async (user: string, workingDir: string): Promise<string> => {
    const refuse = (message: string) =>
      new ApiError('validation_failed', `workingDir ${workingDir}: ${message}`, {
        issues: [{ path: 'body.spec.workingDir', message }],
      });
    let resolved;
    try {
      resolved = await resolver.resolve(user, workingDir, { access: 'read' });
    } catch (error) {
      if (error instanceof ApiError) {
        throw refuse(
          error.code === 'not_found' ? 'does not exist under /work; create the folder first' : error.message,
        );
      }
      throw error;
    }
    if (!(await stat(resolved.absPath)).isDirectory()) throw refuse('is a file, not a folder');
    return resolved.absPath;
  };
}

/**
 * Resolves where a job writes its TensorBoard summaries (`jobSummaryDir`): a folder it may write
 * (home or cache; /work/mount is read-only), made when `create` is set; a 400 naming `summaryDir`
 * otherwise. The default folder (`home/summaries/<id>`) is made at launch.
 */
export function summaryDirResolver(resolver: PathResolver) {
  return async (user: string, summaryDir: string, create: boolean): Promise<string> => {
    const refuse = (message: string) =>
      new ApiError('validation_failed', `summaryDir ${summaryDir}: ${message}`, {
        issues: [{ path: 'body.spec.summaryDir', message }],
      });
    let resolved;
    try {
      resolved = await resolver.resolve(user, summaryDir, { access: 'write', mustExist: false });
    } catch (error) {
      if (error instanceof ApiError) throw refuse(error.message);
      throw error;
    }
    if (resolved.exists && !(await stat(resolved.absPath)).isDirectory()) throw refuse('is a file, not a folder');
    if (create) await mkdir(resolved.absPath, { recursive: true });
    return resolved.absPath;
  };
}

/** The checks of a spec's folders at submit: the working directory exists, the summary folder is writable. */
export function jobFoldersChecker(resolver: PathResolver) {
  const workingDir = workingDirResolver(resolver);
  const summaryDir = summaryDirResolver(resolver);
  return async (user: string, spec: Pick<JobSpec, 'workingDir' | 'summaryDir'>): Promise<void> => {
    await workingDir(user, spec.workingDir);
    if (spec.summaryDir !== undefined) await summaryDir(user, spec.summaryDir, false);
  };
}
