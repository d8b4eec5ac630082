import { createHash, randomBytes } from 'node:crypto';
import { ApiError, parseSshPublicKey, type SshKey } from '@aiplat/api';
import type { SshKeyStore } from './accessStores.js';

/** OpenSSH's SHA256 fingerprint of a key blob, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/**
 * A user's SSH public keys: checked (type and size) on the way in, each key once per user, another
 * user's key not found (never forbidden).
 */
export class SshKeyService {
  constructor(
    private readonly store: SshKeyStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(owner: string): SshKey[] {
    return this.store.list(owner);
  }

  add(owner: string, name: string, publicKey: string): SshKey {
    const parsed = parseSshPublicKey(publicKey);
    if (typeof parsed === 'string') {
      throw new ApiError('validation_failed', `publicKey: ${parsed}`, {
        issues: [{ path: 'body.publicKey', message: parsed }],
      });
    }
    const mine = this.store.list(owner);
    if (mine.some((key) => key.name === name)) {
      throw new ApiError('conflict', `you already have an SSH key named ${name}; pick another name`, {
        issues: [{ path: 'body.name', message: 'already used by another of your keys' }],
      });
    }
    const fingerprint = sshFingerprint(parsed.blob);
    const same = mine.find((key) => key.fingerprint === fingerprint);
    if (same) {
      throw new ApiError('conflict', `this key is already added, as ${same.name}`, {
        issues: [{ path: 'body.publicKey', message: `already added as ${same.name}` }],
      });
    }
    const record: SshKey = {
      id: `sk-${randomBytes(5).toString('hex')}`,
      owner,
      name,
      publicKey: [parsed.line, parsed.comment].filter(Boolean).join(' '),
      type: parsed.type,
      bits: parsed.bits,
      fingerprint,
      addedAt: this.now().toISOString(),
    };
    this.store.insert(record);
    return record;
  }

  delete(id: string, owner: string): { deleted: string } {
    const record = this.store.get(id);
    if (!record || record.owner !== owner) {
      throw new ApiError('not_found', `no SSH key ${id} of yours; list them with GET /api/ssh-keys`);
    }
    this.store.delete(id);
    return { deleted: id };
  }

  /** The `type blob` lines of a user's keys, for authorized_keys. */
  authorizedKeys(owner: string): string[] {
    return this.store.list(owner).flatMap((key) => {
      const parsed = parseSshPublicKey(key.publicKey);
      return typeof parsed === 'string' ? [] : [parsed.line];
    });
  }
}
