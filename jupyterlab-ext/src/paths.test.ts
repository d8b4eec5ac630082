import { describe, expect, it } from 'vitest';
import { fromJupyterPath } from './paths.js';

describe('fromJupyterPath', () => {
  it('is the contents path itself when JupyterLab’s root is /work', () => {
    expect(fromJupyterPath('home/alice/train.py', '')).toBe('home/alice/train.py');
    expect(fromJupyterPath('/home/alice/train.py', '')).toBe('home/alice/train.py');
  });

  it('strips the folder that holds /work, and knows files outside it', () => {
    expect(fromJupyterPath('work/home/alice/train.py', 'work')).toBe('home/alice/train.py');
    expect(fromJupyterPath('work', 'work')).toBe('');
    expect(fromJupyterPath('workshop/a.py', 'work')).toBeUndefined();
    expect(fromJupyterPath('notes/a.py', 'work')).toBeUndefined();
  });
});
