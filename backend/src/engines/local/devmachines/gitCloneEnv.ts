import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CloneCredential } from '../../../devmachines/engine.js';
import { shellQuote } from '../../../shell/shellQuote.js';

/** What one git process needs for one clone, and the secrets its output must never show. */
export interface CloneEnv {
  env: Record<string, string>;
  /** Every form of the credential's secret that could appear in git's output. */
  secrets: string[];
  /** Deletes the key file of an SSH credential. */
  dispose(): Promise<void>;
}

export interface CloneEnvOptions {
  /** SSH clones record and check hosts here (one file per dev machine). */
  knownHostsFile: string;
  /** A folder only the backend reads: the key file of an SSH credential is written there for the clone. */
  secretsDir: string;
}

/**
 * The environment of one clone: never a prompt, no credential helper that could keep the secret,
 * and the credential where only this git process sees it. A token goes in as an `http.extraHeader`
 * through git's environment config (not the command line, the URL or the clone's .git/config); an
 * SSH key as a 0600 file named by GIT_SSH_COMMAND, deleted by `dispose`.
 */
export async function cloneEnv(
  url: string,
  credential: CloneCredential | undefined,
  options: CloneEnvOptions,
): Promise<CloneEnv> {
  const config: [string, string][] = [['credential.helper', '']];
  const secrets: string[] = [];
  let keyFile: string | undefined;
  if (credential?.kind === 'token') {
    const basic = Buffer.from(`${credential.username}:${credential.token}`).toString('base64');
    // Scoped to the repository's host: a redirect elsewhere does not get the header.
    config.push([`http.${headerScope(url)}.extraHeader`, `Authorization: Basic ${basic}`]);
    secrets.push(credential.token, basic);
  } else if (credential?.kind === 'ssh-key') {
    keyFile = path.join(options.secretsDir, `git-key-${randomBytes(6).toString('hex')}`);
    const key = credential.privateKey.endsWith('\n') ? credential.privateKey : `${credential.privateKey}\n`;
    await writeFile(keyFile, key, { mode: 0o600, flag: 'wx' });
    secrets.push(...keyLines(credential.privateKey));
  }
  const ssh = [
    'ssh',
    // The backend's own keys and agent are not the owner's: only the credential's key is offered.
    ...(keyFile ? ['-i', shellQuote(keyFile)] : ['-o', 'PubkeyAuthentication=no']),
    '-o IdentitiesOnly=yes -o IdentityAgent=none -o BatchMode=yes',
    '-o StrictHostKeyChecking=accept-new',
    '-o',
    shellQuote(`UserKnownHostsFile=${options.knownHostsFile}`),
  ].join(' ');
  const env: Record<string, string> = {
    ...inheritedEnv(),
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSH_COMMAND: ssh,
    GIT_CONFIG_COUNT: String(config.length),
    ...Object.fromEntries(
      config.flatMap(([key, value], index) => [
        [`GIT_CONFIG_KEY_${index}`, key],
        [`GIT_CONFIG_VALUE_${index}`, value],
      ]),
    ),
  };
  return {
    env,
    secrets,
    dispose: async () => {
      if (keyFile) await rm(keyFile, { force: true });
    },
  };
}

/** The backend's environment without what would steer git elsewhere (GIT_DIR and the like) or prompt. */
function inheritedEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && !entry[0].startsWith('GIT_') && !['SSH_ASKPASS', 'SSH_AUTH_SOCK'].includes(entry[0]),
    ),
  );
}

/** The `http.<url>.*` part git matches a request against: the URL's scheme, host and port. */
function headerScope(url: string): string {
  try {
    return `${new URL(url).origin}/`;
  } catch {
    return url;
  }
}

/** The base64 lines of a private key: any of them in a message is a piece of the secret. */
function keyLines(privateKey: string): string[] {
  return privateKey
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length >= 16 && !line.startsWith('-----'));
}

/** `text` with every secret (and a password in a URL) replaced by `***`. */
export function redacted(text: string, secrets: readonly string[]): string {
  let shown = text.replace(/(\/\/[^/\s:@]+:)[^@\s/]+@/g, '$1***@');
  for (const secret of secrets) if (secret) shown = shown.split(secret).join('***');
  return shown;
}
