import type { RootInfo } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { deriveWorkRoots, effectiveWorkRoots, fromJupyterPath, toJupyterPath } from './paths.js';

const roots: RootInfo[] = [
  { name: 'home', displayPath: '/work/home', writable: true },
  { name: 'cache', displayPath: '/work/cache', writable: true },
  { name: 'mount', displayPath: '/work/mount', writable: false },
];

/** JupyterLab's contents as a set of folder paths; records what was asked. */
function folders(...paths: string[]) {
  const asked: string[] = [];
  const isFolder = (contentsPath: string) => {
    asked.push(contentsPath);
    return Promise.resolve(paths.includes(contentsPath));
  };
  return { asked, isFolder };
}

describe('deriveWorkRoots', () => {
  it("maps home to home/<user> when JupyterLab serves the shared work root with the user's folder", async () => {
    const jupyter = folders('home', 'home/alice', 'cache', 'mount');
    const derived = await deriveWorkRoots({ user: 'alice', roots }, '', jupyter.isFolder);
    expect(derived).toEqual({ home: 'home/alice' });
    expect(jupyter.asked).toEqual(['home/alice']);
    // The paths the extension then opens and reads back.
    expect(toJupyterPath('/work/home/nb/a.ipynb', '', derived)).toBe('home/alice/nb/a.ipynb');
    expect(fromJupyterPath('home/alice/nb/a.ipynb', '', derived)).toBe('home/nb/a.ipynb');
  });

  it('looks under the folder of /work in the file browser', async () => {
    const jupyter = folders('srv/work/home/bob');
    expect(await deriveWorkRoots({ user: 'bob', roots }, 'srv/work', jupyter.isFolder)).toEqual({ home: 'home/bob' });
    expect(jupyter.asked).toEqual(['srv/work/home/bob']);
  });

  it("maps nothing when JupyterLab's home is the user's own (no home/<user> folder there)", async () => {
    expect(await deriveWorkRoots({ user: 'alice', roots }, '', folders('home', 'cache').isFolder)).toEqual({});
  });

  it('maps nothing for a server without a home root or a user name that is not one path segment', async () => {
    const everything = { isFolder: () => Promise.resolve(true) };
    expect(await deriveWorkRoots({ user: 'alice', roots: roots.slice(1) }, '', everything.isFolder)).toEqual({});
    for (const user of ['', ' ', '..', 'a/b', 'a\\b']) {
      expect(await deriveWorkRoots({ user, roots }, '', everything.isFolder), user).toEqual({});
    }
  });

  it('lets an explicit setting win over the derived roots', () => {
    expect(effectiveWorkRoots({ home: 'users/alice' }, { home: 'home/alice' })).toEqual({ home: 'users/alice' });
    expect(effectiveWorkRoots({}, { home: 'home/alice' })).toEqual({ home: 'home/alice' });
    expect(effectiveWorkRoots({}, {})).toEqual({});
  });
});
