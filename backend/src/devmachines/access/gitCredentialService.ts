import { randomBytes } from 'node:crypto';
import { ApiError, type GitCredential, type GitCredentialBody } from '@aiplat/api';
import type { DevMachineStore } from '../devMachineStore.js';
import type { CloneCredential } from '../engine.js';
import type { GitCredentialRecord, GitCredentialStore } from './accessStores.js';

/**
 * Git credentials, per owner: the secret goes in once and is sealed at rest; only a clone opens it
 * again. Names are unique per owner; one a dev machine names cannot be deleted from under it.
 */
export class GitCredentialService {
  constructor(
    private readonly store: GitCredentialStore,
    private readonly devMachines: DevMachineStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(owner: string): GitCredential[] {
    return this.store.list(owner).map((record) => this.shown(record));
  }

  create(owner: string, body: GitCredentialBody): GitCredential {
    if (this.store.byName(owner, body.name)) {
      throw new ApiError('conflict', `you already have a Git credential named ${body.name}; pick another name`, {
        issues: [{ path: 'body.name', message: 'already used by another of your credentials' }],
      });
    }
    const record: GitCredentialRecord = {
      id: `gc-${randomBytes(5).toString('hex')}`,
      owner,
      name: body.name,
      kind: body.kind,
      ...(body.kind === 'token' ? { username: body.username } : {}),
      createdAt: this.now().toISOString(),
    };
    this.store.insert(record, body.kind === 'token' ? body.token : body.privateKey.replace(/\r\n/g, '\n'));
    return this.shown(record);
  }

  delete(id: string, owner: string): { deleted: string } {
    const record = this.store.get(id);
    if (!record || record.owner !== owner) {
      throw new ApiError('not_found', `no Git credential ${id} of yours; list them with GET /api/git-credentials`);
    }
    const users = this.usedBy(record);
    if (users.length > 0) {
      throw new ApiError(
        'conflict',
        `${record.name} is used by ${users.join(', ')}: remove it from their repositories (or delete them) first`,
      );
    }
    this.store.delete(id);
    return { deleted: id };
  }

  checkReference(owner: string, name: string, path: string): void {
    if (this.store.byName(owner, name)) return;
    const known = this.store.list(owner).map((record) => record.name);
    const message = `no Git credential named ${name}${known.length ? `; yours are ${known.join(', ')}` : '; create one with POST /api/git-credentials'}`;
    throw new ApiError('validation_failed', message, { issues: [{ path, message }] });
  }

  /** The credential with its secret, for one clone. */
  open(owner: string, name: string): CloneCredential {
    const record = this.store.byName(owner, name);
    const secret = record && this.store.secret(record.id);
    if (!record || secret === undefined) throw new ApiError('validation_failed', `no Git credential named ${name}`);
    return record.kind === 'token'
      ? { kind: 'token', username: record.username ?? '', token: secret }
      : { kind: 'ssh-key', privateKey: secret };
  }

  private usedBy(record: GitCredentialRecord): string[] {
    return this.devMachines
      .list(record.owner)
      .filter((machine) =>
        (machine.spec.repositories ?? []).some((repository) => repository.credential === record.name),
      )
      .map((machine) => machine.spec.name);
  }

  private shown(record: GitCredentialRecord): GitCredential {
    return { ...record, usedBy: this.usedBy(record) };
  }
}
