import { homedir } from 'node:os';
import path from 'node:path';
import {
  GitCredentialBodySchema,
  JobNameSchema,
  parseSshPublicKey,
  type GitCredentialBody,
  type SshPublicKeyInfo,
} from '@aiplat/api';
import * as vscode from 'vscode';

/*
 * What Add SSH Key and Add Git Credential ask, each value checked by the contract's own rules
 * before anything is sent: a public key (a .pub file or pasted), a name, a token or a private key.
 */

/** The contract's message for a public key line, or undefined when it takes it. */
export function publicKeyProblem(text: string): string | undefined {
  if (text.trim() === '') return vscode.l10n.t('Paste a public key: the contents of a .pub file, one line');
  const parsed = parseSshPublicKey(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

/** The contract's message for an SSH key's or Git credential's name, or undefined when it takes it. */
export function accessNameProblem(name: string, taken: readonly string[]): string | undefined {
  const parsed = JobNameSchema.safeParse(name);
  if (!parsed.success) return parsed.error.issues[0]?.message;
  return taken.includes(name) ? vscode.l10n.t('You have one named {0} already.', name) : undefined;
}

/** A name offered for a key: its comment made a valid name (`alice@laptop` → `alice-laptop`), else `my-key`. */
export function suggestedKeyName(comment: string, taken: readonly string[]): string {
  const base =
    comment
      .replace(/[^\p{L}\p{N}_-]+/gu, '-')
      .replace(/^[-_]+|-+$/g, '')
      .slice(0, 50) || 'my-key';
  let name = base;
  for (let n = 2; taken.includes(name); n++) name = `${base}-${n}`;
  return name;
}

/** The folder the file dialogs open at: ~/.ssh of the extension host (the dev machine's in code-server). */
function sshFolder(): vscode.Uri {
  return vscode.Uri.file(path.join(homedir(), '.ssh'));
}

/** A file's text picked in a dialog; undefined when cancelled. */
async function pickFileText(title: string, filters?: Record<string, string[]>): Promise<string | undefined> {
  const [file] =
    (await vscode.window.showOpenDialog({
      title,
      defaultUri: sshFolder(),
      canSelectMany: false,
      ...(filters ? { filters } : {}),
    })) ?? [];
  if (!file) return undefined;
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
}

/** A public key, from a .pub file or pasted, checked; undefined when cancelled or refused (the reason shown). */
export async function askPublicKey(title: string): Promise<SshPublicKeyInfo | undefined> {
  const fromFile = vscode.l10n.t('Choose a .pub File…');
  const paste = vscode.l10n.t('Paste the Public Key…');
  const how = await vscode.window.showQuickPick(
    [
      { label: fromFile, description: vscode.l10n.t('e.g. ~/.ssh/id_ed25519.pub') },
      { label: paste, description: vscode.l10n.t('one line: ssh-ed25519 AAAA… you@laptop') },
    ],
    { title, placeHolder: vscode.l10n.t('Where is the public key?') },
  );
  if (!how) return undefined;
  let text: string | undefined;
  if (how.label === fromFile) {
    text = await pickFileText(title, { [vscode.l10n.t('SSH public keys')]: ['pub'] });
  } else {
    text = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('The public key (the contents of the .pub file, never the private key)'),
      placeHolder: 'ssh-ed25519 AAAA… you@laptop',
      ignoreFocusOut: true,
      validateInput: publicKeyProblem,
    });
  }
  if (text === undefined) return undefined;
  const parsed = parseSshPublicKey(text);
  if (typeof parsed === 'string') {
    await vscode.window.showErrorMessage(vscode.l10n.t('This is not a public key to add: {0}', parsed));
    return undefined;
  }
  return parsed;
}

/** The body of Add Git Credential: a token (username and a password box) or an SSH private key file. */
export async function askGitCredentialBody(
  title: string,
  taken: readonly string[],
): Promise<GitCredentialBody | undefined> {
  const name = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Credential name (letters, digits, _ and -); repositories name it'),
    placeHolder: 'github',
    ignoreFocusOut: true,
    validateInput: (value) => accessNameProblem(value, taken),
  });
  if (name === undefined) return undefined;
  const token = vscode.l10n.t('Username and Token');
  const key = vscode.l10n.t('SSH Private Key');
  const kind = await vscode.window.showQuickPick(
    [
      { label: token, description: vscode.l10n.t('for https:// URLs: a personal access token or password') },
      { label: key, description: vscode.l10n.t('for git@host:… URLs: an unencrypted private key file') },
    ],
    { title, placeHolder: vscode.l10n.t('What opens the repositories?') },
  );
  if (!kind) return undefined;
  let body: unknown;
  if (kind.label === token) {
    const username = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('User name on the Git host'),
      ignoreFocusOut: true,
      validateInput: (value) => bodyProblem({ kind: 'token', name, username: value, token: 'x' }),
    });
    if (username === undefined) return undefined;
    const secret = await vscode.window.showInputBox({
      title,
      prompt: vscode.l10n.t('Token or password (kept encrypted on the server, never shown again)'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (value) => bodyProblem({ kind: 'token', name, username, token: value }),
    });
    if (secret === undefined) return undefined;
    body = { kind: 'token', name, username, token: secret };
  } else {
    const privateKey = await pickFileText(title);
    if (privateKey === undefined) return undefined;
    body = { kind: 'ssh-key', name, privateKey };
  }
  const parsed = GitCredentialBodySchema.safeParse(body);
  if (parsed.success) return parsed.data;
  await vscode.window.showErrorMessage(
    vscode.l10n.t('The credential is not valid: {0}', parsed.error.issues.map((issue) => issue.message).join('; ')),
  );
  return undefined;
}

/** The contract's first message for a credential body, or undefined when it takes it. */
function bodyProblem(body: unknown): string | undefined {
  const parsed = GitCredentialBodySchema.safeParse(body);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}
