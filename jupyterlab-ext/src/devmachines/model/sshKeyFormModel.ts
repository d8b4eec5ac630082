import { AddSshKeyBodySchema, parseSshPublicKey, type SshKey, type SshPublicKeyInfo } from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** The add form's values as typed. */
export interface SshKeyFormValues {
  name: string;
  /** One OpenSSH public key line (the contents of a .pub file). */
  publicKey: string;
}

/** A body path (`publicKey`, or the API's `body.publicKey`) → the field that shows it. */
export function sshKeyFieldOfPath(path: string): string {
  return path.replace(/^body\.?/, '').split('.')[0] || 'publicKey';
}

/** The body the values describe: the name trimmed, the key as pasted less its surrounding blanks. */
export function sshKeyBodyOf(values: SshKeyFormValues): { name: string; publicKey: string } {
  return { name: values.name.trim(), publicKey: values.publicKey.trim() };
}

/**
 * The form that adds an SSH public key: each problem at its field as it is typed (the contract's
 * `AddSshKeyBodySchema`, whose key check is `parseSshPublicKey`; the API's 400/409 `issues` after an
 * add), what the key pasted reads as, and the add.
 */
export class SshKeyFormModel extends FieldFormModel<SshKeyFormValues> {
  constructor(connection: IConnectionModel) {
    super(connection, { name: '', publicKey: '' });
  }

  get adding(): boolean {
    return this.busy;
  }

  /** What the key pasted reads as (type, bits, comment), once it reads as one. */
  get keyInfo(): SshPublicKeyInfo | undefined {
    const text = this._values.publicKey.trim();
    if (!text) return undefined;
    const parsed = parseSshPublicKey(text);
    return typeof parsed === 'string' ? undefined : parsed;
  }

  protected fieldOfPath(path: string): string {
    return sshKeyFieldOfPath(path);
  }

  protected problems(values: SshKeyFormValues): Map<string, string[]> {
    return problemsByField(judgedProblems([], AddSshKeyBodySchema.safeParse(sshKeyBodyOf(values))), sshKeyFieldOfPath);
  }

  /** Adds the key; it, or undefined with the problems at their fields. */
  add(): Promise<SshKey | undefined> {
    const body = sshKeyBodyOf(this._values);
    return this.submit(
      () => this.validate(),
      (client) => client.addSshKey({ body }),
    );
  }
}
