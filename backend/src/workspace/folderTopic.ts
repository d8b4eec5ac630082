import { stat } from 'node:fs/promises';
import { ApiError } from '@aiplat/api';
import type { StreamOpener } from '../server/eventHub.js';
import type { FolderWatchers } from './folderWatchers.js';
import type { PathResolver } from './pathResolver.js';

/**
 * The `files/<path>` topic: the subscriber may watch a folder it may list (same resolution and
 * confinement as the file API); each batch of changes of that folder's entries is sent to it.
 */
export function folderChangesOpener(resolver: PathResolver, watchers: FolderWatchers): StreamOpener<'files'> {
  return async (subscription) => {
    const resolved = await resolver.resolve(subscription.user.name, subscription.id, { access: 'read' });
    if (!(await stat(resolved.absPath)).isDirectory()) {
      throw new ApiError('bad_request', `${resolved.apiPath} is a file; watch the folder it is in`);
    }
    return watchers.watch(resolved.absPath, (changes) => {
      subscription.send({ path: subscription.id, changes }).catch(() => undefined);
    });
  };
}
