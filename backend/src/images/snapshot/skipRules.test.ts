import { describe, expect, it } from 'vitest';
import { compileExcludePattern, DEFAULT_EXCLUDES, parseExcludesFile, SkipRules } from './skipRules.js';

const matches = (pattern: string, containerPath: string) =>
  compileExcludePattern(pattern).some((expression) => expression.test(containerPath));

describe('exclude patterns', () => {
  it('matches absolute paths with * ? and **', () => {
    expect(matches('/var/cache/apt', '/var/cache/apt')).toBe(true);
    expect(matches('/var/cache/apt/', '/var/cache/apt')).toBe(true);
    expect(matches('/var/cache/apt', '/var/cache/aptitude')).toBe(false);
    expect(matches('/home/*/.cache', '/home/alice/.cache')).toBe(true);
    expect(matches('/home/*/.cache', '/home/alice/x/.cache')).toBe(false);
    expect(matches('/opt/**/*.log', '/opt/a/b/c.log')).toBe(true);
    expect(matches('/opt/**/*.log', '/opt/c.log')).toBe(true);
    expect(matches('/data/run?', '/data/run1')).toBe(true);
    expect(matches('/a.b', '/axb')).toBe(false);
  });

  it('reads ~ as every home and a bare name as anywhere', () => {
    expect(matches('~/.cache/pip', '/root/.cache/pip')).toBe(true);
    expect(matches('~/.cache/pip', '/home/bob/.cache/pip')).toBe(true);
    expect(matches('~/.cache/pip', '/srv/.cache/pip')).toBe(false);
    expect(matches('__pycache__', '/usr/lib/python3/__pycache__')).toBe(true);
    expect(matches('__pycache__', '/__pycache__')).toBe(true);
  });

  it('says what to write instead of a relative path', () => {
    expect(() => compileExcludePattern('var/cache')).toThrow(/start it with \//);
    expect(() => compileExcludePattern('')).toThrow(/exclude pattern ""/);
  });

  it('reads an excludes file with comments', () => {
    expect(parseExcludesFile('# caches\n/var/cache/apt\n\n  ~/.conda/pkgs  # conda downloads\n')).toEqual([
      { pattern: '/var/cache/apt' },
      { pattern: '~/.conda/pkgs' },
    ]);
  });

  it('gives each default a reason', () => {
    for (const exclude of DEFAULT_EXCLUDES) expect(exclude.reason).toBeTruthy();
  });
});

describe('SkipRules', () => {
  const rules = new SkipRules({
    root: '/srv/machine',
    mountPoints: [
      { mountPoint: '/srv/machine', fsType: 'overlay' },
      { mountPoint: '/srv/machine/etc/hosts', fsType: 'ext4' },
      { mountPoint: '/srv/other', fsType: 'tmpfs' },
    ],
    excludes: [{ pattern: '/var/cache/apt' }],
    agentFiles: ['/srv/machine/var/lib/aiplat/baseline.gz'],
  });

  it('says why each path is left out', () => {
    expect(rules.skipReason('proc')).toMatchObject({ reason: 'system' });
    expect(rules.skipReason('work')).toMatchObject({ reason: 'system' });
    expect(rules.skipReason('etc/hosts')).toEqual({ reason: 'mount', detail: 'ext4 mount' });
    expect(rules.skipReason('var/cache/apt')).toEqual({ reason: 'exclude', detail: '/var/cache/apt' });
    expect(rules.skipReason('var/lib/aiplat/baseline.gz')).toMatchObject({ reason: 'agent' });
    expect(rules.skipReason('etc')).toBeUndefined();
    expect(rules.skipReason('')).toBeUndefined();
  });

  it('covers what is below a skipped path, for baseline entries', () => {
    expect(rules.covers('var/cache/apt/archives/x.deb')).toBe(true);
    expect(rules.covers('proc/1/status')).toBe(true);
    expect(rules.covers('var/cache/debconf')).toBe(false);
  });
});
