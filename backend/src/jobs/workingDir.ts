import { stat } from 'node:fs/promises';
import { ApiError } from '@aiplat/api';
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
