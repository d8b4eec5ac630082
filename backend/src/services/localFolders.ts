import { stat } from 'node:fs/promises';
import { ApiError } from '@aiplat/api';
import type { PathResolver } from '../workspace/pathResolver.js';

/**
 * A version's folder under /work (its model, its code) as its owner may read it; a 400 naming the
 * field says what is wrong.
 */
export function localFolderResolver(resolver: PathResolver) {
  return async (owner: string, folder: string, field: string): Promise<string> => {
    const refuse = (message: string) =>
      new ApiError('validation_failed', `${field} ${folder}: ${message}`, {
        issues: [{ path: `body.spec.${field}`, message }],
      });
    let absPath: string;
    try {
      absPath = (await resolver.resolve(owner, folder, { access: 'read' })).absPath;
    } catch (error) {
      if (error instanceof ApiError) {
        throw refuse(error.code === 'not_found' ? 'does not exist under /work' : error.message);
      }
      throw error;
    }
    if (!(await stat(absPath)).isDirectory()) throw refuse('is a file, not a folder');
    return absPath;
  };
}
