import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevMachineSpecSchema, type DevMachineSpecInput } from '@aiplat/api';
import { git, makeBareRepository } from '../../../../../testing/src/git/bareRepository.js';
import { startGitHttpServer, type GitHttpServer } from '../../../../../testing/src/git/gitHttpServer.js';
import {
  makeSshKeyPair,
  startSshGitServer,
  type SshGitServer,
  type SshKeyPair,
} from '../../../../../testing/src/git/sshGitServer.js';
import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { DevMachineObservation } from '../../../devmachines/engine.js';
import { cloneRepositories, cloneRepository, type CloneContext } from './gitClone.js';

/*
 * Clones with the real git from local bare repositories: served over HTTP by `git http-backend`
 * (one server open, one asking for Basic auth) and over SSH by a real sshd with its own host key.
 */

const TOKEN = 'glpat-secret-token-0123456789';
let dir: string;
let publicHttp: GitHttpServer;
let privateHttp: GitHttpServer;
let sshd: SshGitServer;
let key: SshKeyPair;
let otherKey: SshKeyPair;
let runtimeDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-git-clone-'));
  await mkdir(path.join(dir, 'public'));
  await mkdir(path.join(dir, 'private'));
  makeBareRepository(path.join(dir, 'public'), 'models');
  makeBareRepository(path.join(dir, 'private'), 'secret-models');
  publicHttp = await startGitHttpServer(path.join(dir, 'public'));
  privateHttp = await startGitHttpServer(path.join(dir, 'private'), { username: 'alice', token: TOKEN });
  key = makeSshKeyPair(dir, 'id_alice');
  otherKey = makeSshKeyPair(dir, 'id_other');
  sshd = await startSshGitServer(path.join(dir, 'sshd'), key.publicKey);
  runtimeDir = await mkdtemp(path.join(dir, 'runtime-'));
}, 60_000);
afterAll(async () => {
  await Promise.all([publicHttp?.close(), privateHttp?.close(), sshd?.close()]);
  await rm(dir, { recursive: true, force: true });
});

let count = 0;
async function context(extra: Partial<CloneContext> = {}): Promise<CloneContext> {
  const work = await mkdtemp(path.join(dir, 'work-'));
  return {
    dest: path.join(work, `clone-${++count}`),
    knownHostsFile: path.join(runtimeDir, 'known_hosts'),
    secretsDir: runtimeDir,
    ...extra,
  };
}

const head = (folder: string) => git(['rev-parse', '--abbrev-ref', 'HEAD'], folder).trim();

describe('cloneRepository', () => {
  it('clones a public repository over HTTP with its whole history, on its default branch or the one named', async () => {
    const plain = await context();
    expect(await cloneRepository({ url: `${publicHttp.url}/models.git`, folder: 'models' }, plain)).toEqual({
      ok: true,
    });
    expect(await readFile(path.join(plain.dest, 'README.md'), 'utf8')).toContain('main');
    expect(head(plain.dest)).toBe('main');
    expect(git(['branch', '-r'], plain.dest)).toContain('origin/feature');

    const branch = await context();
    const url = `${publicHttp.url}/models.git`;
    expect(await cloneRepository({ url, branch: 'feature', folder: 'models' }, branch)).toEqual({ ok: true });
    expect(head(branch.dest)).toBe('feature');
    expect(existsSync(path.join(branch.dest, 'feature.txt'))).toBe(true);

    const missing = await context();
    const outcome = await cloneRepository({ url, branch: 'nope', folder: 'models' }, missing);
    expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('Remote branch nope not found') });
    expect(existsSync(missing.dest)).toBe(false);
  });

  it('sends a token only in a header of that clone: never in .git/config, the log lines or the message', async () => {
    const url = `${privateHttp.url}/secret-models.git`;
    const lines: string[] = [];
    const right = await context({ onLine: (line) => lines.push(line) });
    const credential = { kind: 'token' as const, username: 'alice', token: TOKEN };
    expect(await cloneRepository({ url, folder: 'secret-models', credential }, right)).toEqual({ ok: true });
    expect(await readFile(path.join(right.dest, 'README.md'), 'utf8')).toContain('secret-models');
    const config = await readFile(path.join(right.dest, '.git', 'config'), 'utf8');
    const basic = Buffer.from(`alice:${TOKEN}`).toString('base64');
    expect(config).toContain(`url = ${url}`);
    expect(config).not.toContain(TOKEN);
    expect(config).not.toContain(basic);
    expect(config.toLowerCase()).not.toContain('extraheader');
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(privateHttp.users).toContain('alice');

    const wrong = await context();
    const refused = await cloneRepository(
      { url, folder: 'secret-models', credential: { ...credential, token: 'wrong-token-0123456789' } },
      wrong,
    );
    expect(refused).toMatchObject({
      ok: false,
      message: expect.stringMatching(/Authentication failed|terminal prompts disabled/),
    });
    expect(JSON.stringify(refused)).not.toContain('wrong-token-0123456789');
    expect(existsSync(wrong.dest)).toBe(false);

    const none = await context();
    const anonymous = await cloneRepository({ url, folder: 'secret-models' }, none);
    expect(anonymous).toMatchObject({ ok: false, message: expect.stringContaining('terminal prompts disabled') });
    expect(existsSync(none.dest)).toBe(false);
  });

  it('clones over SSH with the credential’s key (a temp file gone afterwards), and fails with another key', async () => {
    const bare = makeBareRepository(path.join(dir, 'private'), 'over-ssh');
    const url = sshd.urlOf(bare);
    const good = await context();
    const outcome = await cloneRepository(
      { url, folder: 'over-ssh', credential: { kind: 'ssh-key', privateKey: key.privateKey } },
      good,
    );
    expect(outcome).toEqual({ ok: true });
    expect(await readFile(path.join(good.dest, 'README.md'), 'utf8')).toContain('over-ssh');
    // The host was recorded in the machine's own known_hosts; no key file was left behind.
    const hostKey = (await readFile(path.join(dir, 'sshd', 'host_ed25519.pub'), 'utf8')).split(' ')[1]!;
    expect(await readFile(path.join(runtimeDir, 'known_hosts'), 'utf8')).toContain(hostKey);
    expect((await readdir(runtimeDir)).filter((file) => file.startsWith('git-key-'))).toEqual([]);
    expect(await readFile(path.join(good.dest, '.git', 'config'), 'utf8')).not.toContain('git-key-');

    const bad = await context();
    const refused = await cloneRepository(
      { url, folder: 'over-ssh', credential: { kind: 'ssh-key', privateKey: otherKey.privateKey } },
      bad,
    );
    expect(refused).toMatchObject({ ok: false, message: expect.stringContaining('Permission denied') });
    expect(JSON.stringify(refused)).not.toContain(otherKey.privateKey.split('\n')[1]);
    expect(existsSync(bad.dest)).toBe(false);
    expect((await readdir(runtimeDir)).filter((file) => file.startsWith('git-key-'))).toEqual([]);

    // Without a credential no key is offered (not the backend's own either).
    const anonymous = await context();
    const none = await cloneRepository({ url, folder: 'over-ssh' }, anonymous);
    expect(none).toMatchObject({ ok: false, message: expect.stringContaining('Permission denied (publickey)') });
    expect(existsSync(anonymous.dest)).toBe(false);
  }, 60_000);

  it('keeps a folder that is already a clone of the URL, refuses any other non-empty one, and fills an empty one', async () => {
    const url = `${publicHttp.url}/models.git`;
    const first = await context();
    await cloneRepository({ url, folder: 'models' }, first);
    await writeFile(path.join(first.dest, 'mine.txt'), 'work in progress\n');
    expect(await cloneRepository({ url, folder: 'models' }, first)).toEqual({
      ok: true,
      note: 'the folder was already a clone of it, and is left as it is',
    });
    expect(await readFile(path.join(first.dest, 'mine.txt'), 'utf8')).toBe('work in progress\n');

    const other = await context({ shownPath: 'home/models' });
    await mkdir(other.dest);
    await writeFile(path.join(other.dest, 'notes.txt'), 'mine\n');
    expect(await cloneRepository({ url, folder: 'models' }, other)).toEqual({
      ok: false,
      message: `home/models exists and is not a clone of ${url}: move it away (or remove the repository from the dev machine)`,
    });
    expect(await readdir(other.dest)).toEqual(['notes.txt']);

    // A folder inside another clone is not a clone of its own.
    const inside = { ...first, dest: path.join(first.dest, 'sub') };
    await mkdir(inside.dest);
    await writeFile(path.join(inside.dest, 'x'), 'x');
    expect(await cloneRepository({ url, folder: 'models' }, inside)).toMatchObject({ ok: false });

    const empty = await context();
    await mkdir(empty.dest);
    expect(await cloneRepository({ url, folder: 'models' }, empty)).toEqual({ ok: true });
    expect(existsSync(path.join(empty.dest, 'README.md'))).toBe(true);
  });

  it('ends a clone that takes longer than its time limit, leaving no folder', async () => {
    // Accepts connections and never answers.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const slow = await context({ timeoutMs: 1_000 });
      const started = Date.now();
      const outcome = await cloneRepository({ url: `http://127.0.0.1:${port}/stuck.git`, folder: 'stuck' }, slow);
      expect(outcome).toMatchObject({ ok: false, message: expect.stringContaining('did not finish within 1 s') });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(existsSync(slow.dest)).toBe(false);
    } finally {
      silent.close();
    }
  });
});

describe('cloneRepositories', () => {
  it('reports each repository with an event and a status, writes git’s output to the log, and never throws for a failed one', async () => {
    const workingDir = await mkdtemp(path.join(dir, 'home-'));
    const logFile = path.join(runtimeDir, 'lifecycle.log');
    const observed: DevMachineObservation[] = [];
    const machine = { id: 'dm-clone1', spec: { workingDir: 'home/project' } } as DevMachineRecord;
    await cloneRepositories({
      machine,
      repositories: [
        { url: `${publicHttp.url}/models.git`, folder: 'models', branch: 'feature' },
        {
          url: `${privateHttp.url}/secret-models.git`,
          folder: 'secret-models',
          credential: { kind: 'token', username: 'alice', token: 'not-the-token' },
        },
      ],
      workingDir,
      runtimeDir,
      logFile,
      lifecycle: { observed: (_id, observation) => observed.push(observation) },
    });
    expect(observed.map((o) => o.event?.type)).toEqual(['repository-cloned', 'repository-failed']);
    expect(observed[0]!.event?.message).toBe(
      `Cloned ${publicHttp.url}/models.git (branch feature) into home/project/models.`,
    );
    expect(observed.map((o) => o.repositories?.map((r) => `${r.path} ${r.state}`))).toEqual([
      ['home/project/models cloned'],
      ['home/project/secret-models failed'],
    ]);
    expect(observed[1]!.repositories![0]!.message).toMatch(/Authentication failed|terminal prompts disabled/);
    expect(existsSync(path.join(workingDir, 'secret-models'))).toBe(false);
    const log = await readFile(logFile, 'utf8');
    expect(log).toContain('Cloning into');
    expect(log).not.toContain('not-the-token');
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
  });
});

describe('the contract', () => {
  it('refuses a fourth repository', () => {
    const spec = (count: number): DevMachineSpecInput => ({
      name: 'box',
      resources: { cpu: 1, memory: '1Gi' },
      workingDir: 'home',
      repositories: Array.from({ length: count }, (_, i) => ({ url: `https://h/r${i}.git` })),
    });
    expect(DevMachineSpecSchema.safeParse(spec(3)).success).toBe(true);
    const refused = DevMachineSpecSchema.safeParse(spec(4));
    expect(refused.error?.issues.map((issue) => issue.message)).toContain(
      'a dev machine clones at most 3 repositories',
    );
  });
});
