import type { GitCredential, SshKey } from '@aiplat/api';

/** An SSH key as kept: exactly what the API shows. */
export type SshKeyRecord = SshKey;

export interface SshKeyStore {
  insert(record: SshKeyRecord): void;
  get(id: string): SshKeyRecord | undefined;
  /** One owner's keys, newest first. */
  list(owner: string): SshKeyRecord[];
  delete(id: string): void;
}

/** A Git credential as kept: what the API shows (less who uses it), and its secret, sealed apart. */
export type GitCredentialRecord = Omit<GitCredential, 'usedBy'>;

export interface GitCredentialStore {
  /** `secret` is the token or the private key; the store seals it. */
  insert(record: GitCredentialRecord, secret: string): void;
  get(id: string): GitCredentialRecord | undefined;
  byName(owner: string, name: string): GitCredentialRecord | undefined;
  /** The secret of a credential, unsealed. */
  secret(id: string): string | undefined;
  /** One owner's credentials, newest first. */
  list(owner: string): GitCredentialRecord[];
  delete(id: string): void;
}
