import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, DevMachineSpecInput } from '@aiplat/api';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { waitForDevMachine } from '../../../../testing/src/devMachines.js';
import { startPlatform, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { git, makeBareRepository } from '../../../../testing/src/git/bareRepository.js';
import { startGitHttpServer, type GitHttpServer } from '../../../../testing/src/git/gitHttpServer.js';

/*
 * A dev machine's Git repositories on the local engine, for real: a public repository and a private
 * one (a token credential, Basic auth in front of `git http-backend`) are cloned into the working
 * dir at the first start, a missing one fails on its own without failing the machine; the token is
 * never shown by the API, nor kept in clear in the data dir; a restart does not clone again.
 */

const TOKEN = 'ghp-e2e-secret-token-0123456789abcdef';
let fx: PlatformFixture;
let client: ApiClient;
let publicHttp: GitHttpServer;
let privateHttp: GitHttpServer;

beforeAll(async () => {
  fx = await startPlatform({ devMachines: { startDefault: false, readyTimeoutMs: 90_000, stopGraceMs: 2_000 } });
  const repos = path.join(fx.dir, 'repos');
  await mkdir(path.join(repos, 'public'), { recursive: true });
  await mkdir(path.join(repos, 'private'), { recursive: true });
  makeBareRepository(path.join(repos, 'public'), 'models');
  makeBareRepository(path.join(repos, 'private'), 'secret-models');
  publicHttp = await startGitHttpServer(path.join(repos, 'public'));
  privateHttp = await startGitHttpServer(path.join(repos, 'private'), { username: 'alice', token: TOKEN });
  await mkdir(path.join(fx.workRoot, 'home', 'alice', 'project'), { recursive: true });
  client = fx.client();
}, 60_000);
afterAll(async () => {
  await Promise.all([publicHttp?.close(), privateHttp?.close()]);
  await fx?.close();
}, 60_000);

const machine = (name: string, repositories: DevMachineSpecInput['repositories']): DevMachineSpecInput => ({
  name,
  resources: { cpu: 1, memory: '1Gi' },
  ides: ['jupyterlab'],
  workingDir: 'home/project',
  repositories,
});

/** Every file under `dir` that holds `text`. */
function filesHolding(dir: string, text: string): string[] {
  try {
    return execFileSync('grep', ['-rlF', '--', text, dir], { encoding: 'utf8' }).trim().split('\n');
  } catch (error) {
    // grep exits 1 when nothing holds it, 2 when it could not look.
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

describe('git repositories of dev machines', () => {
  it('clones them at the first start, reports each, keeps the token secret, and does not clone again', async () => {
    const credential = await client.createGitCredential({
      body: { kind: 'token', name: 'host', username: 'alice', token: TOKEN },
    });
    expect(credential).toMatchObject({ name: 'host', kind: 'token', username: 'alice', usedBy: [] });
    const listed = await fx.fetch('/api/git-credentials');
    expect(await listed.text()).not.toContain(TOKEN);

    const tooMany = await rejection(
      client.createDevMachine({
        body: {
          spec: machine(
            'four',
            ['a', 'b', 'c', 'd'].map((r) => ({ url: `${publicHttp.url}/${r}.git` })),
          ),
        },
      }),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.message).toContain('at most 3 repositories');

    const publicUrl = `${publicHttp.url}/models.git`;
    const privateUrl = `${privateHttp.url}/secret-models.git`;
    const missingUrl = `${publicHttp.url}/missing.git`;
    const created = await client.createDevMachine({
      body: {
        spec: machine('coder', [
          { url: publicUrl, branch: 'feature' },
          { url: privateUrl, credential: 'host' },
          { url: missingUrl },
        ]),
      },
    });
    const running = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(running.failure).toBeUndefined();
    expect(running.state).toBe('Running');
    expect(running.repositories?.map((r) => [r.url, r.path, r.state])).toEqual([
      [publicUrl, 'home/project/models', 'cloned'],
      [privateUrl, 'home/project/secret-models', 'cloned'],
      [missingUrl, 'home/project/missing', 'failed'],
    ]);
    expect(running.repositories![2]!.message).toMatch(/not found|404/);

    const events = (await client.devMachineEvents({ params: { id: created.id } })).events;
    const types = events.map((event) => event.type);
    expect(types.filter((type) => type.startsWith('repository-'))).toEqual([
      'repository-cloned',
      'repository-cloned',
      'repository-failed',
    ]);
    // Cloned before the IDEs started.
    expect(types.indexOf('repository-failed')).toBeLessThan(types.indexOf('ide-started'));

    const project = path.join(fx.workRoot, 'home', 'alice', 'project');
    expect(await readFile(path.join(project, 'models', 'feature.txt'), 'utf8')).toBe('feature\n');
    expect(git(['rev-parse', '--abbrev-ref', 'HEAD'], path.join(project, 'models')).trim()).toBe('feature');
    expect(await readFile(path.join(project, 'secret-models', 'README.md'), 'utf8')).toContain('secret-models');
    expect(existsSync(path.join(project, 'missing'))).toBe(false);
    expect((await stat(path.join(project, 'models'))).isDirectory()).toBe(true);

    // The token: not in any answer of the API, the clone's config, the log, the database.
    const shown = await fx.fetch(`/api/devmachines/${created.id}`);
    expect(await shown.text()).not.toContain(TOKEN);
    expect((await fx.fetch('/api/git-credentials').then((r) => r.text())).includes(TOKEN)).toBe(false);
    expect((await client.listGitCredentials()).gitCredentials[0]!.usedBy).toEqual(['coder']);
    expect(filesHolding(project, TOKEN)).toEqual([]);
    const dataDir = path.join(fx.dir, 'data');
    expect((await readdir(dataDir)).some((file) => file.startsWith('aiplat.sqlite'))).toBe(true);
    expect(filesHolding(dataDir, TOKEN)).toEqual([]);
    expect(filesHolding(dataDir, Buffer.from(`alice:${TOKEN}`).toString('base64'))).toEqual([]);

    // Stopped and started again: what was cloned is not cloned again (the owner's changes stay);
    // the repository that failed is tried again.
    await writeFile(path.join(project, 'models', 'mine.txt'), 'work in progress\n');
    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Stopped']);
    await client.startDevMachine({ params: { id: created.id }, body: {} });
    const again = await waitForDevMachine(client, created.id, ['Running', 'Failed']);
    expect(again.state).toBe('Running');
    const later = (await client.devMachineEvents({ params: { id: created.id } })).events.map((event) => event.type);
    expect(later.filter((type) => type.startsWith('repository-'))).toEqual([
      'repository-cloned',
      'repository-cloned',
      'repository-failed',
      'repository-failed',
    ]);
    expect(again.repositories?.map((r) => r.state)).toEqual(['cloned', 'cloned', 'failed']);
    expect(await readFile(path.join(project, 'models', 'mine.txt'), 'utf8')).toBe('work in progress\n');
    await client.stopDevMachine({ params: { id: created.id }, body: {} });
    await waitForDevMachine(client, created.id, ['Stopped']);
  }, 240_000);
});
