import { describe, expect, it } from 'vitest';
import { baseName, joinPath, opensInJupyter, parentPath, toApiPath, toDisplayPath, toJupyterPath } from './paths.js';

describe('workspace paths', () => {
  it('maps API paths and /work paths to the Jupyter contents path under a prefix', () => {
    expect(toJupyterPath('home/nb/a.ipynb', '')).toBe('home/nb/a.ipynb');
    expect(toJupyterPath('/work/home/nb/a.ipynb', '')).toBe('home/nb/a.ipynb');
    expect(toJupyterPath('/work/home/nb/a.ipynb', 'work')).toBe('work/home/nb/a.ipynb');
    expect(toJupyterPath('home/a.py', '/srv/work/')).toBe('srv/work/home/a.py');
    expect(toJupyterPath('/work', 'work')).toBe('work');
    expect(toJupyterPath('', '')).toBe('');
  });

  it('maps a root to another folder when the Jupyter tree lays it out differently', () => {
    expect(toJupyterPath('home/data/a.ipynb', '', { home: 'home/e2e' })).toBe('home/e2e/data/a.ipynb');
    expect(toJupyterPath('/work/home', 'work', { home: '/home/e2e/' })).toBe('work/home/e2e');
    expect(toJupyterPath('mount/datasets/x.csv', '', { home: 'home/e2e' })).toBe('mount/datasets/x.csv');
    expect(toJupyterPath('homework/a.py', '', { home: 'home/e2e' })).toBe('homework/a.py');
  });

  it('does not take /workspace for /work', () => {
    expect(toApiPath('/workspace/a')).toBe('workspace/a');
    expect(toApiPath('/work/')).toBe('');
    expect(toApiPath('./home//a.txt')).toBe('home/a.txt');
  });

  it('shows paths through the roots the server announced', () => {
    const roots = [{ name: 'home' as const, displayPath: '/work/home/', writable: true }];
    expect(toDisplayPath('home/a.csv', roots)).toBe('/work/home/a.csv');
    expect(toDisplayPath('mount/datasets/iris')).toBe('/work/mount/datasets/iris');
    expect(toDisplayPath('')).toBe('/work');
  });

  it('splits and joins', () => {
    expect(baseName('home/x/y.txt')).toBe('y.txt');
    expect(parentPath('home/x/y.txt')).toBe('home/x');
    expect(parentPath('home')).toBe('');
    expect(joinPath('home/x', 'y.txt')).toBe('home/x/y.txt');
    expect(joinPath('', 'home')).toBe('home');
  });

  it('opens notebooks and text files in JupyterLab, not weights or images', () => {
    expect(opensInJupyter('home/a.ipynb')).toBe(true);
    expect(opensInJupyter('home/train.py')).toBe(true);
    expect(opensInJupyter('home/data.JSONL')).toBe(true);
    expect(opensInJupyter('home/Dockerfile')).toBe(true);
    expect(opensInJupyter('mount/models/m/model.safetensors')).toBe(false);
    expect(opensInJupyter('home/cat.png')).toBe(false);
    expect(opensInJupyter('home/.bashrc')).toBe(false);
  });
});
