import { describe, expect, it } from 'vitest';
import { dispositionFileName, downloadFileName, sanitizeFileName } from './fileName.js';

describe('dispositionFileName', () => {
  it('prefers filename* over filename', () => {
    expect(dispositionFileName(`attachment; filename="plain.txt"; filename*=UTF-8''na%C3%AFve%20set.zip`)).toBe(
      'naïve set.zip',
    );
  });
  it('reads quoted, escaped and bare names', () => {
    expect(dispositionFileName('attachment; filename="a \\"b\\".csv"')).toBe('a "b".csv');
    expect(dispositionFileName('inline; filename=data.tar.gz')).toBe('data.tar.gz');
    expect(dispositionFileName('attachment')).toBeUndefined();
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['..', ''],
    ['.hidden', 'hidden'],
    ['a\u0000b\nc<d>.txt', 'a_b_c_d_.txt'],
    ['  spaced.  ', 'spaced'],
  ])('%j → %j', (given, expected) => {
    expect(sanitizeFileName(given)).toBe(expected);
  });

  it('keeps long names within 255 bytes and keeps the extension', () => {
    const name = sanitizeFileName(`${'é'.repeat(300)}.tar.gz`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name.endsWith('.gz')).toBe(true);
  });
});

describe('downloadFileName', () => {
  it('falls back from the header to the URL to "download"', () => {
    const url = new URL('https://h.example/files/model%20v1.bin?sig=x');
    expect(downloadFileName('attachment; filename="weights.safetensors"', url)).toBe('weights.safetensors');
    expect(downloadFileName('attachment; filename=".."', url)).toBe('model v1.bin');
    expect(downloadFileName(undefined, url)).toBe('model v1.bin');
    expect(downloadFileName(undefined, new URL('https://h.example/'))).toBe('download');
    expect(downloadFileName(undefined, new URL('https://h.example/%E0%A4%A'))).toBe('%E0%A4%A');
  });
});
