import path from 'node:path';
import type { AssetKind } from '@aiplat/api';
import { isInside, type PathResolver, type ReadOnlyFolder } from '../workspace/pathResolver.js';

/** The catalog's own folder in each home: published versions, shared copies, staging. */
export const CATALOG_FOLDER = '.catalog';
/** Under the fast storage root: accelerated copies of versions. */
export const ACCELERATED_FOLDER = '.accelerated';

/**
 * Where the catalog keeps things, as API paths (relative to /work, what users see) and as folders
 * on disk:
 * - a dataset's working folder: `home/datasets/<name>`, the user's to change;
 * - versions: `home/.catalog/<kind>/<name>/<version>`, read-only through the file API;
 * - a redeemed share's versions: `home/.catalog/shared/<kind>/<name>/<version>` of the redeemer;
 * - staging for imports: `home/.catalog/.staging/<task>` (same file system, so a finished import
 *   moves into place by rename);
 * - accelerated copies: `<fast storage>/.accelerated/<owner>/<kind>/<name>/<version>`.
 */
export class AssetLayout {
  readonly fastStorageDir: string;

  constructor(
    private readonly resolver: PathResolver,
    fastStorageDir?: string,
  ) {
    this.fastStorageDir = path.resolve(fastStorageDir ?? path.join(resolver.workRoot, 'cache'));
  }

  /** The folders the file API must only read; give them to the PathResolver. */
  static readOnlyFolders(workRoot: string, fastStorageDir?: string): ReadOnlyFolder[] {
    const folders: ReadOnlyFolder[] = [
      {
        root: 'home',
        folder: CATALOG_FOLDER,
        why: 'home/.catalog holds published dataset and model versions, which never change: publish a new version, or export a copy to change it',
      },
    ];
    const fast = path.resolve(fastStorageDir ?? path.join(workRoot, 'cache'));
    const cache = path.join(path.resolve(workRoot), 'cache');
    if (isInside(fast, cache)) {
      folders.push({
        root: 'cache',
        folder: path.relative(cache, path.join(fast, ACCELERATED_FOLDER)),
        why: 'this folder holds accelerated copies of dataset and model versions; evict them from the Datasets or Models view',
      });
    }
    return folders;
  }

  async home(user: string): Promise<string> {
    return this.resolver.rootRealPath('home', user);
  }

  workingApiPath(name: string): string {
    return `home/datasets/${name}`;
  }

  versionApiPath(kind: AssetKind, name: string, version: string): string {
    return `home/${CATALOG_FOLDER}/${kind}/${name}/${version}`;
  }

  sharedApiPath(kind: AssetKind, name: string, version: string): string {
    return `home/${CATALOG_FOLDER}/shared/${kind}/${name}/${version}`;
  }

  /** The folder on disk of an API path under `user`'s home. */
  async homePath(user: string, apiPath: string): Promise<string> {
    if (!apiPath.startsWith('home/')) throw new Error(`not a home path: ${apiPath}`);
    return path.join(await this.home(user), apiPath.slice('home/'.length));
  }

  async stagingDir(user: string, taskId: string): Promise<string> {
    return path.join(await this.home(user), CATALOG_FOLDER, '.staging', taskId);
  }

  async stagingRoot(user: string): Promise<string> {
    return path.join(await this.home(user), CATALOG_FOLDER, '.staging');
  }

  acceleratedDir(owner: string, kind: AssetKind, name: string, version: string): string {
    return path.join(this.fastStorageDir, ACCELERATED_FOLDER, owner, kind, name, version);
  }

  /** What users see for a folder on disk: relative to /work when it is under it. */
  shownPath(dir: string): string {
    const workRoot = path.resolve(this.resolver.workRoot);
    return isInside(dir, workRoot) ? path.relative(workRoot, dir).split(path.sep).join('/') : dir;
  }
}
