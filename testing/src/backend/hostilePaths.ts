import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Paths every file operation must refuse, read or write, for any user. `status` is what the
 * resolver answers: 400 for paths refused before the disk is touched, 403 for paths that leave
 * their root through a symlink, 404 for roots that do not exist. Symlink entries need the links
 * made by `createHostileFixture`. Shared with the HTTP-level tests.
 */
export interface HostilePath {
  path: string;
  why: string;
  status: 400 | 403 | 404;
}

const long = (n: number) => 'a'.repeat(n);

export const HOSTILE_PATHS: readonly HostilePath[] = [
  // ---- plain traversal, in every position
  { path: '..', why: 'parent of /work', status: 400 },
  { path: '../..', why: 'two levels up', status: 400 },
  { path: '../etc/passwd', why: 'leading ..', status: 400 },
  { path: 'home/..', why: 'trailing .. after a root', status: 400 },
  { path: 'home/../..', why: 'climbs out of /work', status: 400 },
  { path: 'home/../../etc/passwd', why: 'classic traversal', status: 400 },
  { path: 'home/data/../../..', why: '.. after a real segment', status: 400 },
  { path: 'home/./../..', why: 'dot then dot-dot', status: 400 },
  { path: 'home/.//..//..', why: 'empty segments around ..', status: 400 },
  { path: 'home/..//', why: 'trailing slashes after ..', status: 400 },
  { path: 'cache/..', why: '.. from cache', status: 400 },
  { path: 'mount/../home', why: 'from mount to home', status: 400 },
  { path: 'home/x/../../../../etc/passwd', why: 'middle ..', status: 400 },
  { path: 'home/../home/../../', why: 'repeated up and down', status: 400 },
  { path: `home/${'../'.repeat(100)}etc/passwd`, why: 'a hundred ..', status: 400 },
  { path: `home/${'x/'.repeat(1000)}..`, why: 'long path ending in ..', status: 400 },
  // ---- percent-encoded traversal and separators
  { path: '%2e%2e', why: 'encoded .. as the root', status: 400 },
  { path: 'home/%2e%2e/%2e%2e/etc/passwd', why: 'encoded ..', status: 400 },
  { path: 'home/%2E%2E/%2e%2E', why: 'mixed-case encoded ..', status: 400 },
  { path: 'home/.%2e/.%2e', why: 'half-encoded ..', status: 400 },
  { path: 'home/%2e./%2e.', why: 'half-encoded .. (other half)', status: 400 },
  { path: 'home/%252e%252e/%252e%252e', why: 'double-encoded ..', status: 400 },
  { path: 'home/%25252e%25252e', why: 'triple-encoded ..', status: 400 },
  { path: 'home/..%2f..%2fetc%2fpasswd', why: '.. with encoded slashes', status: 400 },
  { path: 'home/..%2F..%2F', why: 'upper-case encoded slash', status: 400 },
  { path: 'home%2f..%2f..%2fetc', why: 'encoded slash inside the root segment', status: 400 },
  { path: 'home/%2f..', why: 'encoded slash then ..', status: 400 },
  { path: 'home/%2fetc%2fpasswd', why: 'encoded absolute path', status: 400 },
  { path: '%2fetc%2fpasswd', why: 'encoded absolute path as the root', status: 400 },
  { path: 'home/%252f..%252f..', why: 'double-encoded slash', status: 400 },
  { path: 'home/..%5c..%5cetc', why: 'encoded backslash', status: 400 },
  { path: 'home/%5C..%5C..', why: 'upper-case encoded backslash', status: 400 },
  // ---- overlong UTF-8 (invalid, but some decoders map them to "." and "/")
  { path: 'home/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd', why: 'overlong "."', status: 400 },
  { path: 'home/..%c0%af..%c0%afetc', why: 'overlong "/"', status: 400 },
  { path: 'home/%C0%AE%C0%AE', why: 'upper-case overlong "."', status: 400 },
  { path: 'home/%e0%80%ae%e0%80%ae', why: 'three-byte overlong "."', status: 400 },
  { path: 'home/..%c1%9c..', why: 'overlong "\\"', status: 400 },
  // ---- backslashes
  { path: 'home\\..\\..', why: 'Windows separators', status: 400 },
  { path: '..\\..\\etc\\passwd', why: 'Windows traversal', status: 400 },
  { path: 'home/..\\..', why: 'mixed separators', status: 400 },
  { path: '\\\\server\\share', why: 'UNC path', status: 400 },
  // ---- NUL and control characters
  { path: 'home/notes.txt\0.png', why: 'NUL truncation', status: 400 },
  { path: 'home/\0', why: 'bare NUL', status: 400 },
  { path: 'home/notes.txt%00.png', why: 'encoded NUL', status: 400 },
  { path: 'home/%2500', why: 'double-encoded NUL', status: 400 },
  { path: 'home/a\nb', why: 'newline (log injection)', status: 400 },
  // ---- absolute and home-relative
  { path: '/etc/passwd', why: 'absolute path', status: 400 },
  { path: '//etc/passwd', why: 'double-slash absolute path', status: 400 },
  { path: '/work/home', why: 'absolute path into /work', status: 400 },
  { path: '~root', why: "another user's home", status: 400 },
  { path: '~/../..', why: 'tilde then ..', status: 400 },
  { path: '~root/.ssh/id_rsa', why: "another user's key", status: 400 },
  { path: 'C:\\Windows\\win.ini', why: 'drive letter and backslashes', status: 400 },
  { path: 'C:/Windows', why: 'drive letter', status: 400 },
  { path: 'c:', why: 'bare drive letter', status: 400 },
  // ---- Unicode that normalises (NFKC) to dots or separators
  { path: 'home/\u2025/\u2025/etc/passwd', why: 'two dot leader', status: 400 },
  { path: 'home/\u2024\u2024', why: 'one dot leaders', status: 400 },
  { path: 'home/\uff0e\uff0e/\uff0e\uff0e', why: 'fullwidth full stops', status: 400 },
  { path: 'home/\ufe52\ufe52', why: 'small full stops', status: 400 },
  { path: 'home/..\uff0fetc', why: 'fullwidth solidus', status: 400 },
  { path: 'home/%ef%bc%8e%ef%bc%8e', why: 'encoded fullwidth full stops', status: 400 },
  // ---- very long
  { path: `home/${long(300)}`, why: 'name longer than 255 bytes', status: 400 },
  { path: `home/${`${long(200)}/`.repeat(25)}`, why: 'path longer than 4096 characters', status: 400 },
  { path: `home/${'é'.repeat(200)}`, why: 'name of 400 UTF-8 bytes', status: 400 },
  // ---- unknown roots
  { path: 'etc/passwd', why: 'not a root', status: 404 },
  { path: 'HOME/x', why: 'roots are case-sensitive', status: 404 },
  { path: 'homes/alice', why: 'root name prefix', status: 404 },
  // ---- through symlinks that leave the root (createHostileFixture)
  { path: 'home/escape-dir/canary.txt', why: 'symlinked folder pointing outside', status: 403 },
  { path: 'home/escape-dir/new-file.txt', why: 'create through a symlinked folder', status: 403 },
  { path: 'home/escape-dir/sub/new', why: 'nested create through a symlinked folder', status: 403 },
  { path: 'home/inner/escape-dir/canary.txt', why: 'escaping link one folder down', status: 403 },
  { path: 'home/inner/up/canary.txt', why: 'relative link climbing out (../../../..)', status: 403 },
  { path: 'home/dangling/x', why: 'through a dangling link', status: 403 },
  { path: 'home/loop-a/x', why: 'through a symlink loop', status: 403 },
  { path: 'home/other-home/secret.txt', why: "link to another user's home", status: 403 },
  { path: 'cache/escape/canary.txt', why: 'escaping link in cache', status: 403 },
  { path: 'mount/escape/canary.txt', why: 'escaping link in mount', status: 403 },
  { path: 'cache/to-home/notes.txt', why: 'link from cache into a home', status: 403 },
];

export interface HostileFixture {
  /** A folder beside the work root, holding the canary. */
  outsideDir: string;
  canaryPath: string;
  canaryContent: string;
  /** Another user's home, with a secret. */
  otherHome: string;
}

/**
 * Builds the links the symlink entries above go through: under `<workRoot>/home/<user>` an escape
 * link to a file and to a folder outside, a dangling link, a loop, a link to another user's home,
 * a real folder holding an escaping link and a relative `../../..` link; escape links in cache
 * and mount; and a canary file outside the work root (`<workRoot>-outside/canary.txt`).
 */
export async function createHostileFixture(workRoot: string, user: string): Promise<HostileFixture> {
  const outsideDir = `${path.resolve(workRoot)}-outside`;
  const canaryPath = path.join(outsideDir, 'canary.txt');
  const canaryContent = 'canary: must never be read or changed';
  const home = path.join(workRoot, 'home', user);
  const otherHome = path.join(workRoot, 'home', `${user}-other`);
  await mkdir(outsideDir, { recursive: true });
  await writeFile(canaryPath, canaryContent);
  await mkdir(path.join(home, 'inner'), { recursive: true });
  await mkdir(otherHome, { recursive: true });
  await mkdir(path.join(workRoot, 'cache'), { recursive: true });
  await mkdir(path.join(workRoot, 'mount'), { recursive: true });
  await writeFile(path.join(otherHome, 'secret.txt'), 'secret of another user');
  await writeFile(path.join(home, 'notes.txt'), 'notes');
  await symlink(canaryPath, path.join(home, 'escape-file'));
  await symlink(outsideDir, path.join(home, 'escape-dir'));
  await symlink(path.join(outsideDir, 'missing', 'x'), path.join(home, 'dangling'));
  await symlink('loop-b', path.join(home, 'loop-a'));
  await symlink('loop-a', path.join(home, 'loop-b'));
  await symlink(otherHome, path.join(home, 'other-home'));
  await symlink(outsideDir, path.join(home, 'inner', 'escape-dir'));
  // home/<user>/inner/up -> <workRoot>/..: a relative link that climbs out.
  await symlink(path.join('..', '..', '..', '..'), path.join(home, 'inner', 'up'));
  await symlink(outsideDir, path.join(workRoot, 'cache', 'escape'));
  await symlink(outsideDir, path.join(workRoot, 'mount', 'escape'));
  await symlink(home, path.join(workRoot, 'cache', 'to-home'));
  return { outsideDir, canaryPath, canaryContent, otherHome };
}
