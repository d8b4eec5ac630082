import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { access, chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ideTools } from '../../../backend/src/engines/local/devmachines/ideTools.js';
import { makeBareRepository } from '../git/bareRepository.js';
import { startGitHttpServer } from '../git/gitHttpServer.js';
import { makeSshKeyPair, startSshGitServer } from '../git/sshGitServer.js';

/*
 * The dev machine image's entrypoint (images/devmachine/entrypoint.sh), run for real with this
 * repo's JupyterLab host and code-server in place of the image's `jupyter lab` and `code-server`
 * (AIPLAT_JUPYTER, AIPLAT_CODE_SERVER) on free ports: both IDEs answer under the platform's
 * paths, the token stays off every command line, and the entrypoint ends with its IDEs. The snapshot
 * baseline at the first start is tested with a fake agent and a fake IDE (AIPLAT_SNAPSHOT_AGENT,
 * AIPLAT_SNAPSHOT_BASELINE, AIPLAT_CODE_SERVER) that write down when they ran.
 */

const SCRIPT = fileURLToPath(new URL('../../../images/devmachine/entrypoint.sh', import.meta.url));
const TOKEN = 'ide-token-not-on-any-command-line';
const tools = ideTools();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-entrypoint-'));
  await mkdir(path.join(dir, 'work', 'home', 'alice'), { recursive: true });
});
afterAll(() => rm(dir, { recursive: true, force: true }));
const groups: number[] = [];
afterEach(() => {
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
  lab: number;
  code: number;
}

async function start(env: Record<string, string>): Promise<Started> {
  const [lab, code] = [await freePort(), await freePort()];
  const child = spawn('bash', [SCRIPT], {
    cwd: path.join(dir, 'work', 'home', 'alice'),
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: dir,
      AIPLAT_WORK_ROOT: path.join(dir, 'work'),
      AIPLAT_JUPYTER: `${tools.jupyterPython} ${tools.jupyterServe}`,
      AIPLAT_CODE_SERVER: `${tools.node} ${tools.codeServerEntry}`,
      AIPLAT_LAB_PORT: String(lab),
      AIPLAT_CODE_PORT: String(code),
      // Whatever this machine has at the image's path, no test records a baseline of its /.
      AIPLAT_SNAPSHOT_AGENT: path.join(dir, 'no-snapshot-agent'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: whatever an IDE leaves behind is ended with it after the test.
    detached: true,
  });
  groups.push(child.pid!);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  return { child, exited, output: () => output, lab, code };
}

async function status(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    return (await fetch(url, { headers })).status;
  } catch {
    return 0;
  }
}

const devMachineEnv = {
  AIPLAT_DEVMACHINE_ID: 'dm-entry1',
  AIPLAT_BASE_PATH: '/devmachines/dm-entry1/',
  AIPLAT_IDE_TOKEN: TOKEN,
  AIPLAT_SERVER: 'http://aiplat.aiplat-system.svc:8080',
};

describe('the dev machine entrypoint', () => {
  it('serves JupyterLab (token only from the environment) and code-server under the platform’s paths, and stops on SIGTERM', async () => {
    const run = await start({ ...devMachineEnv, AIPLAT_IDES: 'jupyterlab,code-server' });
    try {
      const lab = `http://127.0.0.1:${run.lab}/devmachines/dm-entry1/lab/api/status`;
      await expect
        .poll(() => status(lab, { authorization: `token ${TOKEN}` }), { timeout: 60_000, interval: 250 })
        .toBe(200);
      expect(await status(lab)).toBe(403);
      await expect
        .poll(() => status(`http://127.0.0.1:${run.code}/healthz`), { timeout: 60_000, interval: 250 })
        .toBe(200);
      const commandLines = spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout;
      expect(commandLines).not.toContain(TOKEN);
      const settings = JSON.parse(
        await readFile(path.join(dir, '.local', 'share', 'code-server', 'User', 'settings.json'), 'utf8'),
      ) as Record<string, unknown>;
      expect(settings['aiplat.serverUrl']).toBe('http://aiplat.aiplat-system.svc:8080');
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited, run.output()).toBe(0);
    expect(await status(`http://127.0.0.1:${run.code}/healthz`)).toBe(0);
  }, 120_000);

  it('ends non-zero, stopping the other IDE, when one exits', async () => {
    const run = await start({ ...devMachineEnv, AIPLAT_IDES: 'jupyterlab,code-server' });
    const lab = `http://127.0.0.1:${run.lab}/devmachines/dm-entry1/lab/api/status`;
    await expect
      .poll(() => status(lab, { authorization: `token ${TOKEN}` }), { timeout: 60_000, interval: 250 })
      .toBe(200);
    await expect
      .poll(() => status(`http://127.0.0.1:${run.code}/healthz`), { timeout: 60_000, interval: 250 })
      .toBe(200);
    // code-server goes away on its own (its process, found by its port in its command line).
    spawnSync('pkill', ['-KILL', '-f', '--', `--bind-addr 0.0.0.0:${run.code}`]);
    const code = await run.exited;
    expect(code, run.output()).not.toBe(0);
    expect(run.output()).toContain('aiplat-devmachine: an IDE exited');
    expect(await status(lab, { authorization: `token ${TOKEN}` })).toBe(0);
  }, 120_000);

  it('listens on Unix sockets of mode 0600 instead of ports when the local engine names them', async () => {
    const sockets = await mkdtemp(path.join(dir, 'sockets-'));
    const labSocket = path.join(sockets, 'jupyterlab.sock');
    const codeSocket = path.join(sockets, 'code-server.sock');
    const run = await start({
      ...devMachineEnv,
      AIPLAT_IDES: 'jupyterlab,code-server',
      AIPLAT_LAB_SOCKET: labSocket,
      AIPLAT_CODE_SOCKET: codeSocket,
    });
    try {
      const overSocket = (socketPath: string, urlPath: string, headers: Record<string, string> = {}) =>
        new Promise<number>((resolve) => {
          const request = http.get({ socketPath, path: urlPath, headers }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          });
          request.on('error', () => resolve(0));
        });
      await expect
        .poll(
          () => overSocket(labSocket, '/devmachines/dm-entry1/lab/api/status', { authorization: `token ${TOKEN}` }),
          { timeout: 60_000, interval: 250 },
        )
        .toBe(200);
      await expect.poll(() => overSocket(codeSocket, '/healthz'), { timeout: 60_000, interval: 250 }).toBe(200);
      expect((await stat(labSocket)).mode & 0o777).toBe(0o600);
      expect((await stat(codeSocket)).mode & 0o777).toBe(0o600);
      // Neither IDE took a port.
      expect(await status(`http://127.0.0.1:${run.lab}/devmachines/dm-entry1/lab/api/status`)).toBe(0);
      expect(await status(`http://127.0.0.1:${run.code}/healthz`)).toBe(0);
    } finally {
      run.child.kill('SIGTERM');
    }
    expect(await run.exited, run.output()).toBe(0);
  }, 120_000);

  it('says what is missing and starts nothing', async () => {
    const noId = await start({ AIPLAT_IDES: 'jupyterlab' });
    expect(await noId.exited).toBe(2);
    expect(noId.output()).toContain('AIPLAT_DEVMACHINE_ID is not set');
    const noToken = await start({ ...devMachineEnv, AIPLAT_IDE_TOKEN: '', AIPLAT_IDES: 'jupyterlab' });
    expect(await noToken.exited).toBe(2);
    expect(noToken.output()).toContain('AIPLAT_IDE_TOKEN is not set');
    const unknown = await start({ ...devMachineEnv, AIPLAT_IDES: 'emacs' });
    expect(await unknown.exited).toBe(2);
    expect(unknown.output()).toContain('AIPLAT_IDES names no IDE it knows');
  });

  it('records the snapshot baseline at the first start, before the IDEs and their settings, and not again', async () => {
    const here = await mkdtemp(path.join(dir, 'baseline-'));
    const log = path.join(here, 'log');
    const agent = path.join(here, 'aiplat-snapshot');
    const ide = path.join(here, 'fake-code-server');
    const baseline = path.join(here, 'var', 'lib', 'aiplat', 'snapshot-baseline.ndjson.gz');
    const settings = path.join(here, 'home', '.local', 'share', 'code-server', 'User', 'settings.json');
    // The agent is called as `aiplat-snapshot baseline --baseline FILE`; it notes whether the IDE's
    // settings were there yet, and writes the file (or fails, when told to).
    await writeFile(
      agent,
      `#!/bin/sh\necho "agent $* settings:$([ -e '${settings}' ] && echo yes || echo no)" >>'${log}'\n` +
        `[ "\${FAKE_AGENT_FAILS:-}" = 1 ] && { echo 'no space left' >&2; exit 1; }\n` +
        `mkdir -p "$(dirname "$3")" && : >"$3"\n`,
    );
    await writeFile(ide, `#!/bin/sh\necho "ide" >>'${log}'\n`);
    await Promise.all([chmod(agent, 0o755), chmod(ide, 0o755)]);
    const env = {
      ...devMachineEnv,
      HOME: path.join(here, 'home'),
      AIPLAT_IDES: 'code-server',
      AIPLAT_CODE_SERVER: ide,
      AIPLAT_SNAPSHOT_AGENT: agent,
      AIPLAT_SNAPSHOT_BASELINE: baseline,
    };
    const lines = async () => (await readFile(log, 'utf8')).trim().split('\n');

    // The fake IDE exits at once, and the entrypoint with it.
    const first = await start(env);
    await first.exited;
    expect(first.output()).toContain('first start: recording the snapshot baseline');
    expect(await lines()).toEqual([`agent baseline --baseline ${baseline} settings:no`, 'ide']);
    await access(baseline);
    await access(settings);

    const second = await start(env);
    await second.exited;
    expect(second.output()).not.toContain('snapshot baseline');
    expect(await lines()).toEqual([`agent baseline --baseline ${baseline} settings:no`, 'ide', 'ide']);

    // An agent that fails leaves the machine running without a baseline, and says what that means.
    await rm(baseline);
    const failing = await start({ ...env, FAKE_AGENT_FAILS: '1' });
    await failing.exited;
    expect(failing.output()).toContain('no space left');
    expect(failing.output()).toContain(
      'could not record the snapshot baseline: this dev machine cannot be saved as an image',
    );
    expect((await lines()).slice(-1)).toEqual(['ide']);

    // No agent in the image: nothing is recorded, the IDEs start.
    const without = await start({ ...env, AIPLAT_SNAPSHOT_AGENT: path.join(here, 'none') });
    await without.exited;
    expect(without.output()).not.toContain('snapshot baseline');
    expect((await lines()).length).toBe(6);
  });

  it('runs the lifecycle scripts before the IDEs, and ends with the reason as the termination message when one fails', async () => {
    const here = await mkdtemp(path.join(dir, 'lifecycle-'));
    const scripts = path.join(here, 'lifecycle');
    const log = path.join(here, 'log');
    const ide = path.join(here, 'fake-code-server');
    const termination = path.join(here, 'termination-log');
    await mkdir(scripts);
    await writeFile(path.join(scripts, 'on-create.sh'), `echo "create PATH=$PATH"\necho created >>'${log}'\n`);
    await writeFile(path.join(scripts, 'on-start.sh'), `echo started >>'${log}'\n`);
    await writeFile(ide, `#!/bin/sh\necho ide >>'${log}'\n`);
    await chmod(ide, 0o755);
    const env = {
      ...devMachineEnv,
      HOME: path.join(here, 'home'),
      AIPLAT_IDES: 'code-server',
      AIPLAT_CODE_SERVER: ide,
      AIPLAT_LIFECYCLE_DIR: scripts,
      AIPLAT_LIFECYCLE_TIMEOUT: '1',
      AIPLAT_TERMINATION_LOG: termination,
    };
    const ok = await start(env);
    await ok.exited;
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['created', 'started', 'ide']);
    expect(ok.output()).toContain('create PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(ok.output()).toMatch(/on-start: finished in \d+ s/);

    await rm(path.join(scripts, 'on-create.sh'));
    await writeFile(path.join(scripts, 'on-start.sh'), 'for i in 1 2 3; do echo "step $i"; done\nexit 4\n');
    const failing = await start(env);
    expect(await failing.exited).toBe(3);
    expect(await readFile(termination, 'utf8')).toBe(
      'aiplat-lifecycle: the on-start script exited with code 4; its last lines: step 1 / step 2 / step 3',
    );
    await writeFile(path.join(scripts, 'on-start.sh'), 'echo waiting\n(sleep 20; echo late >>"$0.late") &\nsleep 20\n');
    const slow = await start(env);
    expect(await slow.exited).toBe(3);
    expect(await readFile(termination, 'utf8')).toBe(
      'aiplat-lifecycle: the on-start script did not finish within 1 s; its last lines: waiting',
    );
    // The IDE never started after a failed script.
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['created', 'started', 'ide']);
  }, 60_000);
});

describe('the dev machine entrypoint’s Git repositories', () => {
  it('clones them before the lifecycle scripts (token and SSH key kept out of the clones’ configs), reports each, and keeps existing clones', async () => {
    const here = await mkdtemp(path.join(dir, 'repositories-'));
    const token = 'entrypoint-secret-token-0123';
    await mkdir(path.join(here, 'public'));
    await mkdir(path.join(here, 'private'));
    makeBareRepository(path.join(here, 'public'), 'models');
    makeBareRepository(path.join(here, 'private'), 'secret-models');
    const overSsh = makeBareRepository(path.join(here, 'private'), 'tools');
    const key = makeSshKeyPair(here, 'id_alice');
    const publicHttp = await startGitHttpServer(path.join(here, 'public'));
    const privateHttp = await startGitHttpServer(path.join(here, 'private'), { username: 'alice', token });
    const sshd = await startSshGitServer(path.join(here, 'sshd'), key.publicKey);
    try {
      // As the Secret's volume mounts them: a folder per repository.
      const repositories = path.join(here, 'mounted');
      const entries: Record<string, string>[] = [
        { url: `${publicHttp.url}/models.git`, folder: 'models', branch: 'feature' },
        { url: `${privateHttp.url}/secret-models.git`, folder: 'secret-models', username: 'alice', token },
        { url: sshd.urlOf(overSsh), folder: 'tools', 'ssh-key': key.privateKey },
        { url: `${publicHttp.url}/missing.git`, folder: 'missing' },
      ];
      for (const [index, entry] of entries.entries()) {
        await mkdir(path.join(repositories, String(index + 1)), { recursive: true });
        for (const [field, value] of Object.entries(entry)) {
          await writeFile(path.join(repositories, String(index + 1), field), value, { mode: 0o400 });
        }
      }
      const scripts = path.join(here, 'lifecycle');
      const log = path.join(here, 'log');
      const ide = path.join(here, 'fake-code-server');
      await mkdir(scripts);
      await writeFile(path.join(scripts, 'on-start.sh'), `ls models secret-models tools >>'${log}' 2>&1\n`);
      await writeFile(ide, `#!/bin/sh\necho ide >>'${log}'\n`);
      await chmod(ide, 0o755);
      const status = path.join(here, 'status');
      const tmp = await mkdtemp(path.join(here, 'tmp-'));
      const env = {
        ...devMachineEnv,
        HOME: path.join(here, 'home'),
        TMPDIR: tmp,
        AIPLAT_IDES: 'code-server',
        AIPLAT_CODE_SERVER: ide,
        AIPLAT_LIFECYCLE_DIR: scripts,
        AIPLAT_REPOSITORIES_DIR: repositories,
        AIPLAT_REPOSITORIES_STATUS: status,
      };
      const work = path.join(dir, 'work', 'home', 'alice');
      const first = await start(env);
      await first.exited;
      const lines = (await readFile(status, 'utf8')).trim().split('\n');
      expect(lines.slice(0, 3), first.output()).toEqual([
        `aiplat-repository: cloned ${publicHttp.url}/models.git`,
        `aiplat-repository: cloned ${privateHttp.url}/secret-models.git`,
        `aiplat-repository: cloned ${sshd.urlOf(overSsh)}`,
      ]);
      expect(lines[3]).toMatch(new RegExp(`^aiplat-repository: failed ${publicHttp.url}/missing.git .*not found`));
      expect(lines.join('\n')).not.toContain(token);
      expect(existsSync(path.join(work, 'missing'))).toBe(false);
      expect(await readFile(path.join(work, 'models', 'feature.txt'), 'utf8')).toBe('feature\n');
      for (const folder of ['secret-models', 'tools']) {
        const config = await readFile(path.join(work, folder, '.git', 'config'), 'utf8');
        expect(config).not.toContain(token);
        expect(config).not.toMatch(/extraheader|sshcommand|identityfile/i);
      }
      // The scripts saw the code; the key's temp file is gone.
      const logged = await readFile(log, 'utf8');
      expect(logged).toContain('feature.txt');
      expect(logged.trim().split('\n').at(-1)).toBe('ide');
      expect((await readdir(tmp)).filter((file) => file.startsWith('tmp.'))).toEqual([]);
      expect(first.output()).not.toContain(token);

      // The next start finds the clones and keeps them.
      await writeFile(path.join(work, 'models', 'mine.txt'), 'mine\n');
      const second = await start(env);
      await second.exited;
      const again = (await readFile(status, 'utf8')).trim().split('\n');
      expect(again[0]).toBe(
        `aiplat-repository: cloned ${publicHttp.url}/models.git the folder was already a clone of it, and is left as it is`,
      );
      expect(await readFile(path.join(work, 'models', 'mine.txt'), 'utf8')).toBe('mine\n');
    } finally {
      await Promise.all([publicHttp.close(), privateHttp.close(), sshd.close()]);
    }
  }, 60_000);

  it('reads the last lines of a failed clone and of a failed script only once their tee wrote them', async () => {
    const here = await mkdtemp(path.join(dir, 'slow-tee-'));
    await mkdir(path.join(here, 'public'));
    const git = await startGitHttpServer(path.join(here, 'public'));
    try {
      // A tee that starts late: whatever reads the file before it ended finds it empty.
      const bin = path.join(here, 'bin');
      await mkdir(bin);
      await writeFile(
        path.join(bin, 'tee'),
        `#!/bin/sh\nsleep 1\nexec ${spawnSync('sh', ['-c', 'command -v tee']).stdout.toString().trim()} "$@"\n`,
      );
      await chmod(path.join(bin, 'tee'), 0o755);
      const repositories = path.join(here, 'mounted');
      await mkdir(path.join(repositories, '1'), { recursive: true });
      await writeFile(path.join(repositories, '1', 'url'), `${git.url}/missing.git`);
      await writeFile(path.join(repositories, '1', 'folder'), 'missing');
      const scripts = path.join(here, 'lifecycle');
      await mkdir(scripts);
      await writeFile(path.join(scripts, 'on-start.sh'), 'echo "last words"\nexit 4\n');
      const status = path.join(here, 'status');
      const termination = path.join(here, 'termination-log');
      const failing = await start({
        ...devMachineEnv,
        PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        HOME: path.join(here, 'home'),
        AIPLAT_IDES: 'code-server',
        AIPLAT_REPOSITORIES_DIR: repositories,
        AIPLAT_REPOSITORIES_STATUS: status,
        AIPLAT_LIFECYCLE_DIR: scripts,
        AIPLAT_TERMINATION_LOG: termination,
      });
      expect(await failing.exited).toBe(3);
      expect(await readFile(status, 'utf8'), failing.output()).toMatch(
        new RegExp(`^aiplat-repository: failed ${git.url}/missing.git .*not found`),
      );
      expect(await readFile(termination, 'utf8')).toBe(
        'aiplat-lifecycle: the on-start script exited with code 4; its last lines: last words',
      );
    } finally {
      await git.close();
    }
  }, 60_000);
});
