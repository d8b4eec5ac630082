import { describe, expect, it } from 'vitest';
import { parseMountInfo, unescapeMountPath } from './mountInfo.js';

describe('parseMountInfo', () => {
  it('reads mount points with optional fields and octal escapes', () => {
    const text = [
      '36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
      '40 23 0:50 / /home/u/My\\040Drive rw shared:2 master:3 - fuse.sshfs host:/with\\040space rw',
      '41 23 0:51 / /odd\\011tab\\134slash rw - tmpfs tmpfs rw',
      '',
    ].join('\n');
    expect(parseMountInfo(text)).toEqual([
      { mountId: 36, mountPoint: '/mnt2', fsType: 'ext3', source: '/dev/root' },
      { mountId: 40, mountPoint: '/home/u/My Drive', fsType: 'fuse.sshfs', source: 'host:/with space' },
      { mountId: 41, mountPoint: '/odd\ttab\\slash', fsType: 'tmpfs', source: 'tmpfs' },
    ]);
  });

  it('refuses a line that is not in the proc(5) format', () => {
    expect(() => parseMountInfo('36 35 98:0 /mnt1 /mnt2 rw,noatime ext3')).toThrow(/mountinfo line 1/);
  });

  it('leaves text without escapes alone', () => {
    expect(unescapeMountPath('/plain/path')).toBe('/plain/path');
  });
});
