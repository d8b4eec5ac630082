import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, parseSshPublicKey } from '@aiplat/api';
import { SqliteStore } from '../../store/sqliteStore.js';
import { SshKeyService } from './sshKeyService.js';

/*
 * Public keys made by the real ssh-keygen: each supported type is read with the size and the
 * fingerprint ssh-keygen itself prints; what OpenSSH would not trust is refused with the reason.
 */

const dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-sshkeys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keygen(name: string, ...args: string[]): { publicKey: string; privateKey: string; listed: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@test`, '-f', file, ...args]);
  const listed = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' });
  return { publicKey: readFileSync(`${file}.pub`, 'utf8'), privateKey: readFileSync(file, 'utf8'), listed };
}

const ed25519 = keygen('ed', '-t', 'ed25519');
const ecdsa = keygen('ec', '-t', 'ecdsa', '-b', '521');
const rsa = keygen('rsa', '-t', 'rsa', '-b', '3072');
const rsaSmall = keygen('rsa1k', '-t', 'rsa', '-b', '1024');

function refusal(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).message;
  }
  throw new Error('expected a refusal');
}

describe('SSH public keys', () => {
  it.each([
    ['ssh-ed25519', ed25519, 256],
    ['ecdsa-sha2-nistp521', ecdsa, 521],
    ['ssh-rsa', rsa, 3072],
  ])('reads %s with the size and fingerprint ssh-keygen prints', (type, key, bits) => {
    const store = new SqliteStore(':memory:');
    const keys = new SshKeyService(store.sshKeys);
    const added = keys.add('alice', 'laptop', key.publicKey);
    const [size, fingerprint] = key.listed.split(' ');
    expect(added).toMatchObject({ type, bits, name: 'laptop', owner: 'alice' });
    expect(String(added.bits)).toBe(size);
    expect(added.fingerprint).toBe(fingerprint);
    expect(keys.authorizedKeys('alice')).toEqual([key.publicKey.split(' ').slice(0, 2).join(' ')]);
    store.close();
  });

  it('refuses what OpenSSH would not trust, saying what to do', () => {
    expect(parseSshPublicKey(rsaSmall.publicKey)).toMatch(/RSA key has 1024 bits; at least 2048/);
    expect(parseSshPublicKey(ed25519.privateKey)).toMatch(/this is a private key/);
    expect(parseSshPublicKey('ssh-dss AAAAB3NzaC1kc3MAAACBAP')).toMatch(/unsupported key type "ssh-dss"/);
    expect(parseSshPublicKey('ssh-ed25519 not-base64!')).toMatch(/does not decode/);
    // The blob of one type under another's name.
    const ecBlob = ecdsa.publicKey.split(' ')[1]!;
    expect(parseSshPublicKey(`ssh-ed25519 ${ecBlob}`)).toMatch(/says "ssh-ed25519" but holds a "ecdsa-sha2-nistp521"/);
    expect(parseSshPublicKey(`${ed25519.publicKey}${ed25519.publicKey}`)).toMatch(/one public key, on one line/);
  });

  it('keeps each key once per user, and a user sees and removes only their own', () => {
    const store = new SqliteStore(':memory:');
    const keys = new SshKeyService(store.sshKeys);
    const mine = keys.add('alice', 'laptop', ed25519.publicKey);
    expect(refusal(() => keys.add('alice', 'desk', ed25519.publicKey))).toBe('this key is already added, as laptop');
    expect(refusal(() => keys.add('alice', 'laptop', rsa.publicKey))).toMatch(/already have an SSH key named laptop/);
    // Another user may add the same key: it is theirs too.
    keys.add('bob', 'shared', ed25519.publicKey);
    expect(refusal(() => keys.delete(mine.id, 'bob'))).toMatch(/no SSH key sk-\w+ of yours/);
    expect(keys.list('alice').map((key) => key.name)).toEqual(['laptop']);
    expect(keys.delete(mine.id, 'alice')).toEqual({ deleted: mine.id });
    expect(keys.authorizedKeys('alice')).toEqual([]);
    store.close();
  });
});
