import type { RootInfo, ServerInfo } from '@aiplat/api';

/** Where the API's paths live for the user: `home/a.csv` is `/work/home/a.csv`. */
export const WORK_MOUNT = '/work';

/**
 * The API path (relative to /work, e.g. `home/a.ipynb`) of a path given either way: as the API
 * spells it or as the user sees it (`/work/home/a.ipynb`).
 */
export function toApiPath(workPath: string): string {
  let p = workPath.trim().replace(/\\/g, '/');
  if (p === WORK_MOUNT || p.startsWith(`${WORK_MOUNT}/`)) p = p.slice(WORK_MOUNT.length);
  return p
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/**
 * The JupyterLab contents path of a /work path. The Jupyter server's root may be /work itself
 * (`prefix` '') or a folder above it (`prefix` 'work' when the server runs in `/`): the contents
 * path is the prefix joined with the path below /work. `roots` maps a root to another folder
 * under the prefix when the Jupyter tree lays it out differently, e.g. `{ home: 'home/alice' }`
 * when the server's root is the backend's shared work root, where each user's home is a folder.
 */
export function toJupyterPath(workPath: string, prefix: string, roots: Partial<Record<string, string>> = {}): string {
  const clean = (p: string) =>
    p
      .replace(/\\/g, '/')
      .split('/')
      .filter((s) => s !== '' && s !== '.')
      .join('/');
  const [root = '', ...rest] = toApiPath(workPath).split('/');
  const mapped = roots[root];
  const below = [mapped !== undefined ? clean(mapped) : root, ...rest].filter(Boolean).join('/');
  return [clean(prefix), below].filter(Boolean).join('/');
}

/**
 * The /work path of a JupyterLab contents path: `toJupyterPath` backwards. Undefined when the
 * file is not under /work as this JupyterLab lays it out.
 */
export function fromJupyterPath(
  contentsPath: string,
  prefix: string,
  roots: Partial<Record<string, string>> = {},
): string | undefined {
  const parts = toApiPath(contentsPath).split('/').filter(Boolean);
  const head = toApiPath(prefix).split('/').filter(Boolean);
  if (head.some((segment, i) => parts[i] !== segment)) return undefined;
  const below = parts.slice(head.length);
  // The longest mapped folder first: `home/alice` before a root named `home`.
  const mapped = Object.entries(roots)
    .map(
      ([root, folder]) =>
        [
          root,
          toApiPath(folder ?? '')
            .split('/')
            .filter(Boolean),
        ] as const,
    )
    .sort((a, b) => b[1].length - a[1].length);
  for (const [root, folder] of mapped) {
    if (folder.length > 0 && folder.every((segment, i) => below[i] === segment)) {
      return [root, ...below.slice(folder.length)].join('/');
    }
  }
  if (below.length > 0 && roots[below[0] ?? ''] !== undefined) return undefined;
  return below.join('/');
}

/**
 * The `workRootsInJupyter` found from the server's answer, so that no one has to type their own
 * name: when JupyterLab serves the server's shared work root, the user's /work/home is the folder
 * `home/<user>` there. `isFolder` asks JupyterLab's contents whether a path is a folder; home is
 * mapped only when that folder exists and the server announces a home root. A user name that is
 * not one path segment maps nothing.
 */
export async function deriveWorkRoots(
  info: Pick<ServerInfo, 'user' | 'roots'>,
  prefix: string,
  isFolder: (contentsPath: string) => Promise<boolean>,
): Promise<Record<string, string>> {
  const user = info.user.trim();
  if (!info.roots.some((root) => root.name === 'home')) return {};
  if (!user || user === '.' || user === '..' || /[/\\]/.test(user)) return {};
  const home = `home/${user}`;
  return (await isFolder(toJupyterPath('home', prefix, { home }))) ? { home } : {};
}

/** The roots to use: the `workRootsInJupyter` setting when it names any, else the derived ones. */
export function effectiveWorkRoots(
  setting: Readonly<Record<string, string>>,
  derived: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...(Object.keys(setting).length > 0 ? setting : derived) };
}

/** The path as the user sees it in a terminal or a notebook, through the root's display path. */
export function toDisplayPath(apiPath: string, roots: readonly RootInfo[] = []): string {
  const rel = toApiPath(apiPath);
  if (!rel) return WORK_MOUNT;
  const [first = '', ...rest] = rel.split('/');
  const root = roots.find((r) => r.name === first);
  const base = root ? root.displayPath.replace(/\/+$/, '') : `${WORK_MOUNT}/${first}`;
  return [base, ...rest].join('/');
}

export function baseName(apiPath: string): string {
  const parts = toApiPath(apiPath).split('/');
  return parts[parts.length - 1] ?? '';
}

export function parentPath(apiPath: string): string {
  const parts = toApiPath(apiPath).split('/');
  parts.pop();
  return parts.join('/');
}

export function joinPath(folder: string, name: string): string {
  return [toApiPath(folder), ...name.split('/').filter(Boolean)].filter(Boolean).join('/');
}

const TEXT_EXTENSIONS = new Set([
  'py',
  'txt',
  'md',
  'json',
  'jsonl',
  'yaml',
  'yml',
  'toml',
  'cfg',
  'ini',
  'sh',
  'csv',
  'tsv',
  'js',
  'ts',
  'tsx',
  'jsx',
  'r',
  'sql',
  'log',
  'html',
  'css',
  'xml',
  'c',
  'cc',
  'cpp',
  'h',
  'hpp',
  'java',
  'go',
  'rs',
  'rst',
  'ipynb',
]);
const KNOWN_TEXT_NAMES = new Set(['Dockerfile', 'Makefile', 'README', 'LICENSE', '.gitignore', '.env']);

/** Notebooks and text files open in JupyterLab's main area; other files are previewed only. */
export function opensInJupyter(apiPath: string): boolean {
  const name = baseName(apiPath);
  if (KNOWN_TEXT_NAMES.has(name)) return true;
  const dot = name.lastIndexOf('.');
  return dot > 0 && TEXT_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}
