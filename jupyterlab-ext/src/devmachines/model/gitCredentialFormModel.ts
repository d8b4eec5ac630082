import {
  GitCredentialBodySchema,
  type GitCredential,
  type GitCredentialBody,
  type GitCredentialKind,
} from '@aiplat/api';
import { FieldFormModel, judgedProblems, problemsByField } from '../../model/fieldFormModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** The create form's values as typed: both kinds' secrets, only the chosen kind's sent. */
export interface GitCredentialFormValues {
  kind: GitCredentialKind;
  name: string;
  /** Token kind: the Git host user name. */
  username: string;
  /** Token kind: a personal access token or password. */
  token: string;
  /** SSH key kind: an unencrypted private key (the contents of id_ed25519). */
  privateKey: string;
}

export const emptyGitCredentialValues = (): GitCredentialFormValues => ({
  kind: 'token',
  name: '',
  username: '',
  token: '',
  privateKey: '',
});

/** A body path (`token`, or the API's `body.token`) → the field that shows it. */
export function gitCredentialFieldOfPath(path: string): string {
  return path.replace(/^body\.?/, '').split('.')[0] || 'kind';
}

/**
 * The body the values describe: the chosen kind's fields only. A private key is sent without the
 * blanks pasted around it, ending with one newline (as ssh reads it); a token without surrounding blanks.
 */
export function gitCredentialBodyOf(values: GitCredentialFormValues): Record<string, string> {
  const name = values.name.trim();
  if (values.kind === 'ssh-key') {
    const privateKey = values.privateKey.trim();
    return { kind: 'ssh-key', name, privateKey: privateKey ? `${privateKey}\n` : '' };
  }
  return { kind: 'token', name, username: values.username.trim(), token: values.token.trim() };
}

/**
 * The form that creates a Git credential: each problem at its field as it is typed (the contract's
 * `GitCredentialBodySchema`; the API's 400/409 `issues` after a create), and the create. The secret
 * travels once, in the create's body; the form is dropped after it, and the server never shows it again.
 */
export class GitCredentialFormModel extends FieldFormModel<GitCredentialFormValues> {
  constructor(connection: IConnectionModel) {
    super(connection, emptyGitCredentialValues());
  }

  get creating(): boolean {
    return this.busy;
  }

  protected override fieldsOfKey(key: keyof GitCredentialFormValues): string[] {
    // Another kind asks for other fields: the problems of the fields it hides are cleared.
    if (key === 'kind') return ['kind', 'username', 'token', 'privateKey'];
    return [key];
  }

  protected fieldOfPath(path: string): string {
    return gitCredentialFieldOfPath(path);
  }

  protected problems(values: GitCredentialFormValues): Map<string, string[]> {
    const parsed = GitCredentialBodySchema.safeParse(gitCredentialBodyOf(values));
    return problemsByField(judgedProblems([], parsed), gitCredentialFieldOfPath);
  }

  /** Creates the credential; it (without its secret), or undefined with the problems at their fields. */
  create(): Promise<GitCredential | undefined> {
    const body = gitCredentialBodyOf(this._values) as GitCredentialBody;
    return this.submit(
      () => this.validate(),
      (client) => client.createGitCredential({ body }),
    );
  }
}
