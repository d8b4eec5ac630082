import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApiError } from '@aiplat/api';
import { DevMachineSpecSchema, GitCredentialBodySchema, type DevMachineSpecInput } from '@aiplat/api';
import { SqliteStore } from '../../store/sqliteStore.js';
import { NULL_PUBLISHER } from '../../server/eventPublisher.js';
import { DevMachineService } from '../devMachineService.js';
import type { DevMachineEngine, DevMachineStartOptions } from '../engine.js';
import { GitCredentialService } from './gitCredentialService.js';
import { SshKeyService } from './sshKeyService.js';

/*
 * Git credentials with the product's SQLite store in a temp folder: the secret sealed at rest (the
 * database files never hold it), opened only for a start's clones; and what a start hands its
 * engine: the repositories not cloned yet with their credentials, and the keys its SSH server takes.
 */

const dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-gitcred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TOKEN = 'ghp_s3cr3tT0kenThatMustNotLeak';
const body = (input: unknown) => GitCredentialBodySchema.parse(input);
const spec = (extra: Partial<DevMachineSpecInput>) =>
  DevMachineSpecSchema.parse({ name: 'box', resources: { cpu: 1, memory: '1Gi' }, ...extra });
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJJ3lMzDd4nlYLkHVnsOr07dFMg6yBZE5HTEdwJx/Sg5 me@laptop';

function setUp(file = ':memory:') {
  const store = new SqliteStore(file);
  const credentials = new GitCredentialService(store.gitCredentials, store.devMachines);
  const sshKeys = new SshKeyService(store.sshKeys);
  const machines = new DevMachineService({
    store: store.devMachines,
    events: NULL_PUBLISHER,
    log: pino({ level: 'silent' }),
    gitCredentials: credentials,
    sshKeys,
  });
  const starts: DevMachineStartOptions[] = [];
  const engine: DevMachineEngine = {
    validate: () => undefined,
    start: async (machine, options) => {
      starts.push(options);
      machines.observed(machine.id, {
        state: 'Running',
        repositories: (options.repositories ?? []).map((r) => ({
          url: r.url,
          path: `home/${r.folder}`,
          state: r.url.includes('broken') ? 'failed' : 'cloned',
          at: new Date().toISOString(),
        })),
      });
    },
    stop: async (machine) => machines.observed(machine.id, { state: 'Stopped' }),
    release: async () => undefined,
    endpoint: () => undefined,
  };
  machines.useEngine('local', engine);
  return { store, credentials, sshKeys, machines, starts };
}

describe('Git credentials', () => {
  it('seal the secret at rest and never show it', () => {
    const file = path.join(dir, 'aiplat.sqlite');
    const { store, credentials } = setUp(file);
    const shown = credentials.create('alice', body({ kind: 'token', name: 'gitlab', username: 'alice', token: TOKEN }));
    expect(shown).toMatchObject({ name: 'gitlab', kind: 'token', username: 'alice', usedBy: [] });
    expect(JSON.stringify(credentials.list('alice'))).not.toContain(TOKEN);
    expect(credentials.open('alice', 'gitlab')).toEqual({ kind: 'token', username: 'alice', token: TOKEN });
    store.close();
    for (const name of readdirSync(dir)) {
      expect(readFileSync(path.join(dir, name)).includes(TOKEN), name).toBe(false);
    }
  });

  it('are per owner, named once, and not deleted from under a dev machine', async () => {
    const { credentials, machines } = setUp();
    const mine = credentials.create('alice', body({ kind: 'token', name: 'gh', username: 'a', token: 't' }));
    expect(() => credentials.create('alice', body({ kind: 'token', name: 'gh', username: 'a', token: 't' }))).toThrow(
      /already have a Git credential named gh/,
    );
    await expect(
      machines.create('bob', spec({ repositories: [{ url: 'https://h/r.git', credential: 'gh' }] }), false),
    ).rejects.toThrow(/no Git credential named gh; create one/);
    await machines.create('alice', spec({ repositories: [{ url: 'https://h/r.git', credential: 'gh' }] }), false);
    expect(credentials.list('alice')[0]!.usedBy).toEqual(['box']);
    const refused = (() => {
      try {
        credentials.delete(mine.id, 'alice');
      } catch (error) {
        return error as ApiError;
      }
    })();
    expect(refused?.message).toBe('gh is used by box: remove it from their repositories (or delete them) first');
    expect(() => credentials.delete(mine.id, 'bob')).toThrow(/no Git credential gc-\w+ of yours/);
  });
});

describe('what a start hands its engine', () => {
  it('clones only what is not cloned yet, with the credential opened; SSH with the owner keys and its own', async () => {
    const { credentials, sshKeys, machines, starts } = setUp();
    credentials.create('alice', body({ kind: 'token', name: 'gh', username: 'alice', token: TOKEN }));
    sshKeys.add('alice', 'laptop', ED25519);
    const extra =
      'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEYAI0AOI5DJ+dZf/L2J4cVbcP5pyO53mGOvsOR9UqyL3rZ6rDlA5OsmQQp/J0TxcKgVNTSLvgfCF8C6qj1x/FA= ci';
    const machine = await machines.create(
      'alice',
      spec({
        ssh: { enabled: true, publicKeys: [extra, ED25519] },
        repositories: [
          { url: 'https://git.example.com/team/models.git', branch: 'dev', credential: 'gh' },
          { url: 'https://git.example.com/broken.git' },
        ],
      }),
      true,
    );
    expect(starts[0]!.repositories).toEqual([
      {
        url: 'https://git.example.com/team/models.git',
        branch: 'dev',
        folder: 'models',
        credential: { kind: 'token', username: 'alice', token: TOKEN },
      },
      { url: 'https://git.example.com/broken.git', folder: 'broken' },
    ]);
    expect(starts[0]!.ssh?.authorizedKeys).toEqual([
      ED25519.split(' ').slice(0, 2).join(' '),
      extra.split(' ').slice(0, 2).join(' '),
    ]);
    const running = machines.get(machine.id, 'alice');
    expect(running.repositories?.map((r) => `${r.path} ${r.state}`)).toEqual([
      'home/models cloned',
      'home/broken failed',
    ]);

    await machines.stop(machine.id, 'alice', false);
    await machines.start(machine.id, 'alice');
    // The failed one is tried again; the cloned one is not.
    expect(starts[1]!.repositories?.map((r) => r.folder)).toEqual(['broken']);
    expect(machines.get(machine.id, 'alice').repositories?.map((r) => r.path)).toEqual(['home/models', 'home/broken']);
  });
});
