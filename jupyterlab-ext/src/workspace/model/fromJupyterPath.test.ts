import { describe, expect, it } from 'vitest';
import { fromJupyterPath, toJupyterPath } from './paths.js';

describe('fromJupyterPath', () => {
  it('is the contents path itself when JupyterLab’s root is /work', () => {
    expect(fromJupyterPath('home/train.py', '')).toBe('home/train.py');
    expect(fromJupyterPath('/cache/x/y.txt', '')).toBe('cache/x/y.txt');
  });

  it('strips the folder that holds /work, and knows files outside it', () => {
    expect(fromJupyterPath('work/home/train.py', 'work')).toBe('home/train.py');
    expect(fromJupyterPath('workshop/a.py', 'work')).toBeUndefined();
    expect(fromJupyterPath('notes/a.py', 'work')).toBeUndefined();
  });

  it('undoes a root mapped to another folder, and refuses another user’s home', () => {
    const roots = { home: 'home/alice' };
    expect(fromJupyterPath('home/alice/e2e/train.py', '', roots)).toBe('home/e2e/train.py');
    expect(fromJupyterPath('home/bob/train.py', '', roots)).toBeUndefined();
    expect(fromJupyterPath('mount/data/a.csv', '', roots)).toBe('mount/data/a.csv');
  });

  it('is toJupyterPath backwards', () => {
    const cases: [string, string, Record<string, string>][] = [
      ['home/a/b.ipynb', '', {}],
      ['home/a/b.ipynb', 'work', { home: 'home/alice' }],
      ['mount/models/m.pt', 'srv/work', { home: 'users/alice' }],
    ];
    for (const [path, prefix, roots] of cases) {
      expect(fromJupyterPath(toJupyterPath(path, prefix, roots), prefix, roots)).toBe(path);
    }
  });
});
