import { DEV_MACHINE_MAX_REPOSITORIES } from '@aiplat/api';

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/**
 * The CLI's words for reaching dev machines' insides: SSH keys (`aiplat ssh-key`), Git credentials
 * (`aiplat git-credential`), and the dev machine options and commands that use them
 * (`aiplat dev create --ssh --repo`, `aiplat dev ssh`, `aiplat dev get`).
 */
export const accessMessages = {
  files: {
    cannotRead: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
    noSuchFile: 'no such file',
    isFolder: 'it is a folder',
  },
  sshKey: {
    description: 'Your SSH public keys: each opens every dev machine of yours created with --ssh.',
    after: examples([
      'aiplat ssh-key add laptop',
      'aiplat ssh-key add work -f ~/.ssh/work_ed25519.pub',
      'aiplat ssh-key add ci --key "ssh-ed25519 AAAAC3Nza… ci@example.com"',
      'aiplat ssh-key list',
      'aiplat ssh-key remove laptop',
    ]),
    key: 'SSH key id (sk-…) or name',
    add: {
      description:
        'Add an SSH public key (ssh-ed25519, ecdsa, or rsa of 2048 bits or more); running dev machines take it at their next start.',
      name: 'its name, e.g. laptop',
      file: 'the public key file (default: the first of ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub)',
      key: 'the public key itself, one line: "ssh-ed25519 AAAA… comment"',
      both: 'give the key either with -f FILE or with --key TEXT, not both',
      noDefault: (home: string) =>
        `no public key found in ${home}/.ssh (id_ed25519.pub, id_ecdsa.pub, id_rsa.pub): make one with ssh-keygen -t ed25519, or give -f FILE or --key TEXT`,
      badKey: (where: string, problem: string) => `${where}: ${problem}`,
      done: (name: string, id: string, type: string, fingerprint: string) =>
        `${name} (${id}): added, ${type} ${fingerprint}`,
      from: (file: string) => `reading the public key from ${file}`,
    },
    list: {
      description: 'List your SSH public keys.',
      empty: 'No SSH keys yet: aiplat ssh-key add <name>',
    },
    remove: { description: 'Remove an SSH public key; dev machines stop taking it from their next start.' },
    removed: (id: string) => `${id}: removed`,
    noSuch: (key: string) => `no SSH key ${key} of yours; list them with: aiplat ssh-key list`,
    header: { name: 'NAME', id: 'ID', type: 'TYPE', bits: 'BITS', fingerprint: 'FINGERPRINT', age: 'AGE' },
  },
  gitCredential: {
    description:
      'Git credentials for private repositories a dev machine clones: a username and token, or an SSH private key. Kept encrypted; never shown again.',
    after: examples([
      'printf %s "$GITHUB_TOKEN" | aiplat git-credential create github --username alice --token-stdin',
      'aiplat git-credential create gitlab --username alice --token-env GITLAB_TOKEN',
      'aiplat git-credential create deploy --ssh-key ~/.ssh/deploy_ed25519',
      'aiplat git-credential list',
      'aiplat git-credential delete github',
    ]),
    credential: 'Git credential id (gc-…) or name',
    create: {
      description:
        'Keep a Git credential: --username with --token-stdin or --token-env (HTTPS), or --ssh-key (an unencrypted private key file).',
      name: 'its name, e.g. github; repositories name it (--repo URL@NAME)',
      username: 'the Git host user name, for a token',
      tokenStdin: 'read the token (or password) from standard input, so it stays out of shell history',
      tokenEnv: 'read the token from this environment variable',
      sshKey: 'an SSH private key file (unencrypted), for git@host:… repositories',
      oneKind: 'give one secret: --token-stdin, --token-env VAR or --ssh-key FILE',
      noUsername: 'a token needs --username (any non-empty name for hosts that ignore it)',
      usernameWithKey: '--username goes with a token, not with --ssh-key',
      emptyToken: (from: string) => `no token on ${from}`,
      noStdin: 'standard input is not available to read the token from',
      stdin: 'standard input',
      done: (name: string, id: string, kind: string) => `${name} (${id}): created (${kind})`,
    },
    list: {
      description: 'List your Git credentials (never their secrets).',
      empty: 'No Git credentials yet: aiplat git-credential create <name> --username <user> --token-stdin',
    },
    delete: { description: 'Delete a Git credential no dev machine names.' },
    deleted: (id: string) => `${id}: deleted`,
    noSuch: (credential: string) =>
      `no Git credential ${credential} of yours; list them with: aiplat git-credential list`,
    header: { name: 'NAME', id: 'ID', kind: 'KIND', username: 'USERNAME', usedBy: 'USED BY', age: 'AGE' },
  },
  dev: {
    ssh: 'run an SSH server in it, opened by your SSH keys (aiplat ssh-key add) and those of --ssh-key',
    sshKey: 'with --ssh: also let this public key file in, for this dev machine only (repeatable)',
    repo: `clone a Git repository into the working dir at the first start: URL, URL#BRANCH, URL@CREDENTIAL or URL#BRANCH@CREDENTIAL (repeatable, at most ${DEV_MACHINE_MAX_REPOSITORIES})`,
    tooManyRepos: `a dev machine clones at most ${DEV_MACHINE_MAX_REPOSITORIES} repositories`,
    badRepo: (value: string, problem: string) => `--repo ${JSON.stringify(value)}: ${problem}`,
    sshKeyNeedsSsh: '--ssh-key adds a key for SSH: add --ssh',
    sshCommand: {
      description:
        'Print the ssh command of a running dev machine with SSH (and its host key, to compare at the first connection), or run it with --exec.',
      exec: 'run ssh instead of printing the command',
      notEnabled: (name: string) =>
        `${name} has no SSH: create one with aiplat dev create <name> --ssh (SSH is set when a dev machine is created)`,
      notRunning: (name: string, state: string) =>
        `${name} is ${state}; SSH is there while it runs: aiplat dev start ${name}`,
      notReady: (name: string) => `${name} runs but its SSH server is not up yet; try again in a moment`,
      hostKey: (type: string, fingerprint: string) =>
        `host key: ${type} ${fingerprint} (ssh shows it at the first connection: it must be the same)`,
      running: (command: string) => `running: ${command}`,
      cannotRun: (reason: string) => `cannot run ssh: ${reason}; is OpenSSH installed?`,
    },
    get: {
      description: 'Show a dev machine: its settings, state, SSH and the clones of its repositories.',
      fields: {
        id: 'ID',
        name: 'Name',
        state: 'State',
        failure: 'Failure',
        waiting: 'Waiting',
        ides: 'IDEs',
        resources: 'Resources',
        image: 'Image',
        workingDir: 'Working dir',
        lifecycleConfig: 'Lifecycle config',
        created: 'Created',
        started: 'Started',
        stopsAt: 'Stops at',
        ssh: 'SSH',
        hostKey: 'Host key',
        repositories: 'Repositories',
      },
      sshOff: 'off',
      sshWhileRunning: (keys: number) =>
        `on (your SSH keys${keys > 0 ? ` and ${keys} of its own` : ''}); the command shows while it runs`,
      sshStarting: 'on; the SSH server is starting',
      cloned: (path: string) => `cloned into ${path}`,
      failed: (message: string) => `failed: ${message}`,
      notYet: 'cloned at the first start',
      repository: (url: string, branch: string | undefined, credential: string | undefined) =>
        `${url}${branch ? ` (branch ${branch})` : ''}${credential ? ` [credential ${credential}]` : ''}`,
    },
  },
} as const;
