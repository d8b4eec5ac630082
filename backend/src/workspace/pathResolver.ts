import { lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ApiError, type RootName } from '@aiplat/api';

export const ROOT_NAMES: readonly RootName[] = ['home', 'cache', 'mount'];

export type Access = 'read' | 'write';

export interface ResolveOptions {
  access: Access;
  /** Refuse with 404 when the target does not exist (default true). */
  mustExist?: boolean;
  /**
   * Resolve the last segment through a symlink (default true). False for operations on the link
   * itself (delete, rename, lstat-style listing), which then never touch what it points at.
   */
  followFinal?: boolean;
}

export interface ResolvedPath {
  root: RootName;
  /** Normalised API path, e.g. `home/data/a.csv`. */
  apiPath: string;
  /** Real directory of the root (symlinks resolved). */
  rootDir: string;
  /** Where the target lives on disk, inside `rootDir`. */
  absPath: string;
  exists: boolean;
  writable: boolean;
}

function badPath(message: string): ApiError {
  return new ApiError('bad_request', message, { issues: [{ path: 'path', message }] });
}

/**
 * ELOOP: the links on the way point back at each other, so the path names nothing. Refused like
 * any other link the resolver will not follow (403), but saying what it is.
 */
function symlinkLoop(apiPath: string): ApiError {
  const message = `${apiPath} goes through a symlink loop (links that point back at each other); fix or remove the link`;
  return new ApiError('forbidden', message, { issues: [{ path: 'path', message }] });
}

/** Decodes percent-escapes repeatedly so `%252e%252e` is seen for what it is. */
function fullyDecoded(segment: string): string {
  let current = segment;
  for (let i = 0; i < 4; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** Longest file name most file systems accept, in bytes. */
export const MAX_NAME_BYTES = 255;
export const MAX_PATH_CHARS = 4096;

/** Percent-escapes of overlong UTF-8 forms (`%c0%ae` is an overlong "."), refused outright. */
const OVERLONG_ESCAPE = /%(?:c0|c1|e0%[89][0-9a-f]|f0%8[0-9a-f])/i;

/**
 * True when a segment would become "." or ".." or gain a separator once some other layer (a
 * client, a proxy, a Windows share) applies Unicode compatibility normalisation: `\u2025`
 * (two dot leader), fullwidth `\uff0e\uff0e` or `\uff0f` (fullwidth solidus).
 */
function normalisesToTraversal(segment: string): boolean {
  if (/^[\x20-\x7e]*$/.test(segment)) return false;
  const nfkc = segment.normalize('NFKC');
  return nfkc === '.' || nfkc === '..' || nfkc.includes('/') || nfkc.includes('\\');
}

/** Splits an API path into its segments, refusing every traversal form before touching the disk. */
export function parseApiPath(raw: string): string[] {
  if (raw.length > MAX_PATH_CHARS) throw badPath(`path is longer than ${MAX_PATH_CHARS} characters`);
  if (raw.includes('\0')) throw badPath('path contains a NUL byte');
  if (raw.includes('\\')) throw badPath('path contains a backslash; separate folders with /');
  if (raw.startsWith('/') || raw.startsWith('~') || /^[A-Za-z]:/.test(raw)) {
    throw badPath(
      `absolute paths are not accepted: give a path relative to /work, such as home/${
        raw
          .replace(/^[/~]+/, '')
          .split('/')
          .pop() ?? ''
      }`,
    );
  }
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..') throw badPath('path contains ".."; paths cannot climb out of a folder');
    const decoded = fullyDecoded(segment);
    if (
      decoded !== segment &&
      (decoded.includes('/') || decoded.includes('\\') || decoded.includes('\0') || decoded === '..' || decoded === '.')
    ) {
      throw badPath('path contains an encoded separator or traversal');
    }
    if (/\p{Cc}/u.test(segment)) throw badPath('path contains a control character');
    if (OVERLONG_ESCAPE.test(segment)) throw badPath('path contains an overlong UTF-8 escape');
    if (normalisesToTraversal(segment) || normalisesToTraversal(decoded)) {
      throw badPath('path contains a character that normalises to "." or a separator');
    }
    if (Buffer.byteLength(segment) > MAX_NAME_BYTES)
      throw badPath(`a name in the path is longer than ${MAX_NAME_BYTES} bytes`);
  }
  return segments;
}

/** True when `child` is `parent` or lies below it (both absolute and normalised). */
export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Maps API paths onto the work root: `home` is the user's own `<workRoot>/home/<user>`, `cache`
 * the shared scratch `<workRoot>/cache`, `mount` the read-only `<workRoot>/mount`. Every result is
 * checked with realpath to lie inside its root; symlinks that leave it are refused, never followed.
 */
/** A folder the file API only reads: the catalog's published versions and accelerated copies. */
export interface ReadOnlyFolder {
  root: RootName;
  /** Relative to the root's folder, e.g. `.catalog`. */
  folder: string;
  /** The refusal's message: what the folder is and what to do instead. */
  why: string;
}

export class PathResolver {
  constructor(
    readonly workRoot: string,
    private readonly readOnlyFolders: readonly ReadOnlyFolder[] = [],
  ) {}

  rootDirectory(root: RootName, user: string): string {
    // The user name becomes a folder name: one that could climb (`..`, `a/b`) is a bug upstream.
    if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/.test(user)) {
      throw new ApiError('forbidden', 'the user name cannot be used as a home folder name');
    }
    return root === 'home' ? path.join(this.workRoot, 'home', user) : path.join(this.workRoot, root);
  }

  isWritableRoot(root: RootName): boolean {
    return root !== 'mount';
  }

  /** Real path of a root, creating the user's home (and the shared roots) on first use. */
  async rootRealPath(root: RootName, user: string): Promise<string> {
    const dir = this.rootDirectory(root, user);
    try {
      return await realpath(dir);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await mkdir(dir, { recursive: true });
      return realpath(dir);
    }
  }

  async resolve(user: string, rawPath: string, options: ResolveOptions): Promise<ResolvedPath> {
    try {
      const resolved = await this.resolveChecked(user, rawPath, options);
      const readOnly = this.readOnlyFolderOf(resolved);
      if (!readOnly) return resolved;
      if (options.access === 'write') throw new ApiError('read_only', readOnly.why);
      return { ...resolved, writable: false };
    } catch (e) {
      if (errno(e) === 'ENAMETOOLONG') throw badPath('path is too long for the file system');
      throw e;
    }
  }

  private readOnlyFolderOf(resolved: ResolvedPath): ReadOnlyFolder | undefined {
    return this.readOnlyFolders.find(
      (f) => f.root === resolved.root && isInside(resolved.absPath, path.join(resolved.rootDir, f.folder)),
    );
  }

  private async resolveChecked(user: string, rawPath: string, options: ResolveOptions): Promise<ResolvedPath> {
    const segments = parseApiPath(rawPath);
    const [rootName, ...rest] = segments;
    if (rootName === undefined) throw badPath('path names /work itself; give a root: home, cache or mount');
    if (!(ROOT_NAMES as readonly string[]).includes(rootName)) {
      throw new ApiError('not_found', `no root named "${rootName}"; the roots are home, cache and mount`);
    }
    const root = rootName as RootName;
    const writable = this.isWritableRoot(root);
    if (options.access === 'write' && !writable) {
      throw new ApiError('read_only', '/work/mount is read-only: copy the data to home or cache to change it');
    }
    const rootDir = await this.rootRealPath(root, user);
    const apiPath = [root, ...rest].join('/');
    const outside = () => new ApiError('path_outside_root', `${apiPath} leads outside /work/${root} through a symlink`);
    const refusals = { outside, loop: () => symlinkLoop(apiPath) };
    const followFinal = options.followFinal ?? true;
    const mustExist = options.mustExist ?? true;

    if (rest.length === 0) return { root, apiPath, rootDir, absPath: rootDir, exists: true, writable };

    const lexical = path.join(rootDir, ...rest);
    // PATH_MAX on Linux: longer paths fail later with ENAMETOOLONG, half-way through a write.
    if (Buffer.byteLength(lexical) >= 4096) throw badPath('path is too long for the file system');
    if (followFinal) {
      try {
        const real = await realpath(lexical);
        if (!isInside(real, rootDir)) throw outside();
        return { root, apiPath, rootDir, absPath: real, exists: true, writable };
      } catch (e) {
        if (e instanceof ApiError) throw e;
        if (errno(e) === 'ELOOP') throw refusals.loop();
        if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw e;
      }
    }
    // The parent must resolve inside the root; the last segment is taken as it is.
    const parentReal = await this.realParent(rootDir, rest.slice(0, -1), refusals);
    const absPath = path.join(parentReal, rest[rest.length - 1] as string);
    let exists = false;
    try {
      const stat = await lstat(absPath);
      exists = true;
      // A symlink we were asked to follow but could not (dangling, or a loop): writing through it
      // could create a file wherever it points.
      if (followFinal && stat.isSymbolicLink()) throw outside();
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (errno(e) !== 'ENOENT') throw e;
    }
    if (!exists && mustExist) throw new ApiError('not_found', `${apiPath} does not exist`);
    return { root, apiPath, rootDir, absPath, exists, writable };
  }

  /**
   * Walks the parent segments one by one with lstat, so a symlink anywhere in the chain (dangling
   * ones included) is checked before anything could be created through it.
   */
  private async realParent(
    rootDir: string,
    parents: string[],
    refuse: { outside: () => ApiError; loop: () => ApiError },
  ): Promise<string> {
    let current = rootDir;
    for (let i = 0; i < parents.length; i++) {
      const next = path.join(current, parents[i] as string);
      let stat;
      try {
        stat = await lstat(next);
      } catch (e) {
        if (errno(e) === 'ENOENT') return path.join(next, ...parents.slice(i + 1));
        throw e;
      }
      if (stat.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(next);
        } catch (e) {
          throw errno(e) === 'ELOOP' ? refuse.loop() : refuse.outside();
        }
        if (!isInside(real, rootDir)) throw refuse.outside();
        current = real;
      } else if (stat.isDirectory()) {
        current = next;
      } else {
        throw new ApiError('bad_request', `${parents.slice(0, i + 1).join('/')} is a file, not a folder`);
      }
    }
    return current;
  }

  /** The API path of an absolute path inside a root (for listings and catalog entries). */
  toApiPath(root: RootName, rootDir: string, absPath: string): string {
    const relative = path.relative(rootDir, absPath);
    return relative ? `${root}/${relative.split(path.sep).join('/')}` : root;
  }
}
