import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ApiClient, type DevMachine } from '@aiplat/api';
import { cliRunner, outputSink } from '../../../testing/src/backend/cliRunner.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { parseRepo } from './commands/devAccess.js';
import { runCli } from './program.js';

let fx: PlatformFixture;
let home: string;

/** A fresh ed25519 public key line, as in id_ed25519.pub. */
function ed25519Line(comment: string): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const part = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
  return `ssh-ed25519 ${Buffer.concat([part(Buffer.from('ssh-ed25519')), part(raw)]).toString('base64')} ${comment}`;
}

const LAPTOP = ed25519Line('alice@laptop');
const WORK = ed25519Line('alice@work');
const EXTRA = ed25519Line('colleague@desk');
const PRIVATE =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n';

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 60_000, stopGraceMs: 2_000 } });
  await mkdir(path.join(fx.workRoot, 'home', 'alice'), { recursive: true });
  home = path.join(fx.dir, 'home-alice');
  await mkdir(path.join(home, '.ssh'), { recursive: true });
  // No id_ed25519.pub: the default is the next one, id_ecdsa.pub (an ed25519 key here, named as found).
  await writeFile(path.join(home, '.ssh', 'id_ecdsa.pub'), `${LAPTOP}\n`);
  await writeFile(path.join(home, '.ssh', 'id_ecdsa'), PRIVATE);
  await writeFile(path.join(fx.dir, 'work.pub'), `${WORK}\n`);
  await writeFile(path.join(fx.dir, 'extra.pub'), `${EXTRA}\n`);
  await writeFile(path.join(fx.dir, 'deploy_key'), PRIVATE);
}, 60_000);
afterAll(() => fx?.close(), 60_000);

/** Runs `aiplat <args>` in-process against the test backend as alice, with her home and `env`. */
const aiplat = (args: string[], env: Record<string, string> = {}) =>
  cliRunner(fx, 'alice', { HOME: home, ...env })(args);

/** Runs `aiplat` as alice with `stdin`, a client that shows `overlay` over her machines, and a recorded terminal. */
async function aiplatWith(
  args: string[],
  options: { stdin?: string; overlay?: (machine: DevMachine) => DevMachine; exitCode?: number } = {},
) {
  const stdout = outputSink();
  const stderr = outputSink();
  const ran: (readonly string[])[] = [];
  const code = await runCli(args, {
    stdout,
    stderr,
    env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice, HOME: home },
    cwd: fx.dir,
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    createClient: (clientOptions) => {
      const client = createClient(clientOptions);
      const overlay = options.overlay;
      if (!overlay) return client;
      return new Proxy(client, {
        get(target, key, receiver) {
          if (key !== 'listDevMachines') return Reflect.get(target, key, receiver) as unknown;
          return async () => ({ devMachines: (await target.listDevMachines()).devMachines.map(overlay) });
        },
      }) as ApiClient;
    },
    runInTerminal: (argv) => {
      ran.push(argv);
      return Promise.resolve(options.exitCode ?? 0);
    },
  });
  return { code, stdout: stdout.text, stderr: stderr.text, ran };
}

async function machineNamed(name: string): Promise<DevMachine> {
  const { devMachines } = await fx.client().listDevMachines();
  return devMachines.find((machine) => machine.spec.name === name)!;
}

/** Stops (a machine created with --no-start is Creating) and deletes a machine. */
async function removeMachine(name: string): Promise<void> {
  expect((await aiplat(['dev', 'stop', name, '--force'])).code).toBe(0);
  await expect.poll(async () => (await machineNamed(name)).state, { timeout: 30_000 }).toBe('Stopped');
  expect((await aiplat(['dev', 'delete', name])).code).toBe(0);
}

describe('aiplat ssh-key', () => {
  it('adds the default key, one from a file and one given as text; lists and removes them', async () => {
    const added = await aiplat(['ssh-key', 'add', 'laptop']);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^laptop \(sk-[a-z0-9]+\): added, ssh-ed25519 SHA256:[A-Za-z0-9+/]{43}\n$/);
    expect(added.stderr).toContain(`reading the public key from ${path.join(home, '.ssh', 'id_ecdsa.pub')}`);
    expect((await aiplat(['ssh-key', 'add', 'work', '-f', 'work.pub'])).code).toBe(0);
    expect((await aiplat(['ssh-key', 'add', 'extra', '--key', EXTRA])).code).toBe(0);

    const { sshKeys } = await fx.client().listSshKeys();
    expect(sshKeys.map((key) => [key.name, key.publicKey])).toEqual(
      expect.arrayContaining([
        ['laptop', LAPTOP],
        ['work', WORK],
        ['extra', EXTRA],
      ]),
    );
    const listed = await aiplat(['ssh-key', 'list']);
    expect(listed.stdout).toMatch(/NAME\s+ID\s+TYPE\s+BITS\s+FINGERPRINT\s+AGE/);
    expect(listed.stdout).toMatch(/laptop\s+sk-[a-z0-9]+\s+ssh-ed25519\s+256\s+SHA256:\S+/);

    // The same key twice: the server says under which name it is.
    const again = await aiplat(['ssh-key', 'add', 'laptop-2', '-f', '~/.ssh/id_ecdsa.pub']);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('already added, as laptop')]);

    expect(await aiplat(['ssh-key', 'remove', 'work'])).toMatchObject({ code: 0, stdout: /^sk-[a-z0-9]+: removed\n$/ });
    const { id } = sshKeys.find((key) => key.name === 'extra')!;
    expect(await aiplat(['ssh-key', 'rm', id])).toMatchObject({ code: 0, stdout: `${id}: removed\n` });
    expect(await aiplat(['ssh-key', 'remove', 'laptop'])).toMatchObject({ code: 0 });
    expect((await aiplat(['ssh-key', 'list'])).stdout).toBe('No SSH keys yet: aiplat ssh-key add <name>\n');
  });

  it('refuses a private key, a bad key and a missing file before sending anything', async () => {
    const privateKey = await aiplat(['ssh-key', 'add', 'oops', '-f', '~/.ssh/id_ecdsa']);
    expect([privateKey.code, privateKey.stderr]).toEqual([1, expect.stringContaining('this is a private key')]);
    const bad = await aiplat(['ssh-key', 'add', 'oops', '--key', 'ssh-dss AAAAB3NzaC1kc3M=']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('unsupported key type')]);
    const missing = await aiplat(['ssh-key', 'add', 'oops', '-f', 'nowhere.pub']);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringContaining('cannot read nowhere.pub: no such file'),
    ]);
    const none = await aiplat(['ssh-key', 'add', 'oops'], { HOME: fx.dir });
    expect([none.code, none.stderr]).toEqual([2, expect.stringContaining('make one with ssh-keygen -t ed25519')]);
    const both = await aiplat(['ssh-key', 'add', 'oops', '-f', 'work.pub', '--key', WORK]);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('not both')]);
    await expect(fx.client().listSshKeys()).resolves.toEqual({ sshKeys: [] });
  });
});

describe('aiplat git-credential', () => {
  it('creates token credentials from stdin and a variable and a key credential from a file; lists and deletes them', async () => {
    const fromStdin = await aiplatWith(['git-credential', 'create', 'github', '--username', 'alice', '--token-stdin'], {
      stdin: 'ghp_secret123\n',
    });
    expect(fromStdin).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^github \(gc-[a-z0-9]+\): created \(token\)\n$/),
    });
    const fromEnv = await aiplat(['git-credential', 'create', 'gitlab', '--username', 'alice', '--token-env', 'GL'], {
      GL: 'glpat-secret',
    });
    expect(fromEnv.code).toBe(0);
    const fromKey = await aiplat(['git-credential', 'create', 'deploy', '--ssh-key', 'deploy_key']);
    expect(fromKey).toMatchObject({ code: 0, stdout: expect.stringMatching(/\(ssh-key\)\n$/) });

    const listed = await aiplat(['git-credential', 'list']);
    expect(listed.stdout).toMatch(/NAME\s+ID\s+KIND\s+USERNAME\s+USED BY\s+AGE/);
    expect(listed.stdout).toMatch(/github\s+gc-[a-z0-9]+\s+token\s+alice\s+-/);
    expect(listed.stdout).toMatch(/deploy\s+gc-[a-z0-9]+\s+ssh-key\s+-\s+-/);
    // Never a secret, in any output.
    const json = await aiplat(['git-credential', 'list', '-o', 'json']);
    expect(json.stdout + listed.stdout).not.toMatch(/secret|PRIVATE KEY/);

    for (const name of ['github', 'gitlab', 'deploy']) {
      expect(await aiplat(['git-credential', 'delete', name])).toMatchObject({ code: 0, stdout: /: deleted\n$/ });
    }
    expect((await aiplat(['git-credential', 'list'])).stdout).toMatch(/^No Git credentials yet/);
  });

  it('says what is missing: the secret, the username, an empty token', async () => {
    const noSecret = await aiplat(['git-credential', 'create', 'x', '--username', 'alice']);
    expect([noSecret.code, noSecret.stderr]).toEqual([
      2,
      expect.stringContaining('--token-stdin, --token-env VAR or --ssh-key FILE'),
    ]);
    const noUser = await aiplat(['git-credential', 'create', 'x', '--token-env', 'GL'], { GL: 't' });
    expect([noUser.code, noUser.stderr]).toEqual([2, expect.stringContaining('a token needs --username')]);
    const empty = await aiplat(['git-credential', 'create', 'x', '--username', 'a', '--token-stdin']);
    expect([empty.code, empty.stderr]).toEqual([2, expect.stringContaining('no token on standard input')]);
    const unknown = await aiplat(['git-credential', 'delete', 'nothing']);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no Git credential nothing of yours')]);
  });
});

describe('aiplat dev create --ssh --repo, dev get, dev ssh', () => {
  it('reads --repo as URL#BRANCH@CREDENTIAL', () => {
    expect(parseRepo('https://github.com/org/tools.git')).toEqual({ url: 'https://github.com/org/tools.git' });
    expect(parseRepo('https://github.com/org/model.git#dev@github')).toEqual({
      url: 'https://github.com/org/model.git',
      branch: 'dev',
      credential: 'github',
    });
    expect(parseRepo('git@github.com:org/private.git@deploy')).toEqual({
      url: 'git@github.com:org/private.git',
      credential: 'deploy',
    });
    expect(parseRepo('git@github.com:org/private.git#feature/x')).toEqual({
      url: 'git@github.com:org/private.git',
      branch: 'feature/x',
    });
    expect(() => parseRepo('file:///etc/passwd')).toThrow(/use https, http, ssh or git/);
    expect(() => parseRepo('https://github.com/o/r.git#..bad')).toThrow(/not a valid branch name/);
  });

  it('creates a machine with SSH, its own key and repositories; shows them; prints the ssh command once it runs', async () => {
    await aiplatWith(['git-credential', 'create', 'github', '--username', 'alice', '--token-stdin'], {
      stdin: 'ghp_x',
    });
    const created = await aiplat([
      'dev',
      'create',
      'remote',
      '--ides',
      'jupyterlab',
      '--no-start',
      '--ssh',
      '--ssh-key',
      'extra.pub',
      '--repo',
      'https://github.com/org/tools.git',
      '--repo',
      'https://github.com/org/model.git#dev@github',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: expect.stringMatching(/^remote \(dm-[a-z0-9]+\): /) });
    const machine = await machineNamed('remote');
    expect(machine.spec.ssh).toEqual({ enabled: true, publicKeys: [EXTRA] });
    expect(machine.spec.repositories).toEqual([
      { url: 'https://github.com/org/tools.git' },
      { url: 'https://github.com/org/model.git', branch: 'dev', credential: 'github' },
    ]);
    // Named by a machine: the credential is kept.
    expect((await aiplat(['git-credential', 'list'])).stdout).toMatch(/github\s+\S+\s+token\s+alice\s+remote/);

    const shown = await aiplat(['dev', 'get', 'remote']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^SSH:\s+on \(your SSH keys and 1 of its own\); the command shows while it runs$/m);
    expect(shown.stdout).toContain(
      'Repositories:\n  tools: https://github.com/org/tools.git\n    cloned at the first start\n' +
        '  model: https://github.com/org/model.git (branch dev) [credential github]\n    cloned at the first start\n',
    );
    expect(JSON.parse((await aiplat(['dev', 'get', 'remote', '-o', 'json'])).stdout)).toMatchObject({
      id: machine.id,
      spec: { ssh: { enabled: true } },
    });

    const notRunning = await aiplat(['dev', 'ssh', 'remote']);
    expect([notRunning.code, notRunning.stderr]).toEqual([
      1,
      expect.stringContaining(`remote is ${machine.state}; SSH is there while it runs: aiplat dev start remote`),
    ]);

    // Running, as the engine reports it: the command on stdout, the host key on stderr.
    const running = (m: DevMachine): DevMachine =>
      m.id !== machine.id
        ? m
        : {
            ...m,
            state: 'Running',
            ssh: {
              host: 'dev.example.com',
              port: 2222,
              user: 'alice',
              command: 'ssh -p 2222 alice@dev.example.com',
              hostKeyFingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
              hostKeyType: 'ssh-ed25519',
            },
            repositories: [
              { url: 'https://github.com/org/tools.git', path: 'home/tools', state: 'cloned', at: m.createdAt },
              {
                url: 'https://github.com/org/model.git',
                path: 'home/model',
                state: 'failed',
                message: 'Remote branch dev not found in upstream origin',
                at: m.createdAt,
              },
            ],
          };
    const printed = await aiplatWith(['dev', 'ssh', 'remote'], { overlay: running });
    expect(printed).toMatchObject({ code: 0, stdout: 'ssh -p 2222 alice@dev.example.com\n', ran: [] });
    expect(printed.stderr).toContain('host key: ssh-ed25519 SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    const executed = await aiplatWith(['dev', 'ssh', machine.id, '--exec'], { overlay: running, exitCode: 255 });
    expect(executed).toMatchObject({ code: 255, stdout: '', ran: [['ssh', '-p', '2222', 'alice@dev.example.com']] });
    expect(executed.stderr).toContain('running: ssh -p 2222 alice@dev.example.com');
    const described = await aiplatWith(['dev', 'describe', 'remote'], { overlay: running });
    expect(described.stdout).toMatch(/^SSH:\s+ssh -p 2222 alice@dev\.example\.com$/m);
    expect(described.stdout).toMatch(/^Host key:\s+ssh-ed25519 SHA256:abc/m);
    expect(described.stdout).toContain('    cloned into home/tools\n');
    expect(described.stdout).toContain('    failed: Remote branch dev not found in upstream origin\n');

    await removeMachine('remote');
    expect((await aiplat(['git-credential', 'delete', 'github'])).code).toBe(0);
  });

  it('refuses bad access options', async () => {
    const noSsh = await aiplat(['dev', 'ssh', 'nowhere']);
    expect([noSsh.code, noSsh.stderr]).toEqual([1, expect.stringContaining('no dev machine nowhere of yours')]);
    const badRepo = await aiplat(['dev', 'create', 'x', '--repo', '/srv/git/local.git']);
    expect([badRepo.code, badRepo.stderr]).toEqual([2, expect.stringContaining('is not a repository URL')]);
    const four = ['a', 'b', 'c', 'd'].flatMap((name) => ['--repo', `https://github.com/org/${name}.git`]);
    const tooMany = await aiplat(['dev', 'create', 'x', ...four]);
    expect([tooMany.code, tooMany.stderr]).toEqual([2, expect.stringContaining('at most 3 repositories')]);
    const keyWithoutSsh = await aiplat(['dev', 'create', 'x', '--ssh-key', 'extra.pub']);
    expect([keyWithoutSsh.code, keyWithoutSsh.stderr]).toEqual([2, expect.stringContaining('add --ssh')]);
    const unknownCredential = await aiplat([
      'dev',
      'create',
      'x',
      '--no-start',
      '--repo',
      'https://h.example/r.git@nope',
    ]);
    expect([unknownCredential.code, unknownCredential.stderr]).toEqual([
      1,
      expect.stringContaining('no Git credential named nope'),
    ]);
    // Not SSH-enabled.
    expect((await aiplat(['dev', 'create', 'plain', '--ides', 'jupyterlab', '--no-start'])).code).toBe(0);
    const plain = await aiplat(['dev', 'ssh', 'plain']);
    expect([plain.code, plain.stderr]).toEqual([1, expect.stringContaining('plain has no SSH')]);
    expect((await aiplat(['dev', 'get', 'plain'])).stdout).toMatch(/^SSH:\s+off$/m);
    await removeMachine('plain');
  });
});
