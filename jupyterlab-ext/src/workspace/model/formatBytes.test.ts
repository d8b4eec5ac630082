import { describe, expect, it } from 'vitest';
import { formatBytes } from '@aiplat/api';

/*
 * The one size format of both IDEs, from the contract package. api/'s tsconfig leaves tests out, so
 * its functions are tested from a package that uses them (as backend/src/jobs/jobYaml.test.ts does).
 */

describe('formatBytes (@aiplat/api)', () => {
  it('prints whole bytes below 1 KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('prints one decimal in binary units from 1 KiB on', () => {
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(60928)).toBe('59.5 KiB');
    expect(formatBytes(242339)).toBe('236.7 KiB');
    expect(formatBytes(1.2 * 2 ** 20)).toBe('1.2 MiB');
    expect(formatBytes(64 * 2 ** 20)).toBe('64.0 MiB');
    expect(formatBytes(3 * 2 ** 30)).toBe('3.0 GiB');
    expect(formatBytes(2 ** 50)).toBe('1.0 PiB');
    expect(formatBytes(2 ** 60)).toBe('1024.0 PiB');
  });

  it('moves to the next unit when the rounded number would reach 1024', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB');
    expect(formatBytes(1024 * 1024 - 60)).toBe('1023.9 KiB');
  });

  it('keeps the sign and passes non-finite values through', () => {
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
    expect(formatBytes(Number.NaN)).toBe('NaN B');
  });
});
