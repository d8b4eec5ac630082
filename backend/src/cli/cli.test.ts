import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import WebSocket from 'ws';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJobYaml, type Job, type JobDetail, type WebSocketFactory, type WebSocketLike } from '@aiplat/api';
import { outputSink, type OutputSink } from '../../../testing/src/backend/cliRunner.js';
import { homeFolder, waitForJob, waitForState } from '../../../testing/src/backend/jobs.js';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { runCli, type CliDeps } from './program.js';

let fx: PlatformFixture;
/** Where the tests' job.yaml files are (the CLI's working directory). */
let cwd: string;
let home: string;
/** A loopback port nothing listens on. */
let closedPort: number;

beforeAll(async () => {
  fx = await startPlatform();
  cwd = fx.dir;
  home = await homeFolder(fx.workRoot, 'alice', 'cli');
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(() => fx?.close());

interface RunOptions {
  env?: Record<string, string | undefined>;
  stdin?: string;
  stdout?: OutputSink;
  createWebSocket?: WebSocketFactory;
}

/** Runs `aiplat <args>` in-process against the test backend as alice. */
async function aiplat(args: string[], options: RunOptions = {}) {
  const stdout = options.stdout ?? outputSink();
  const stderr = outputSink();
  const deps: CliDeps = {
    stdout,
    stderr,
    env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS.alice, ...options.env },
    cwd,
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    pollIntervalMs: 50,
    ...(options.createWebSocket ? { createWebSocket: options.createWebSocket } : {}),
  };
  const code = await runCli(args, deps);
  expect(stderr.text, 'never a stack trace').not.toMatch(/^\s+at /m);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A WebSocket factory whose sockets never connect: the CLI has to fall back to polling. */
const brokenSockets: WebSocketFactory = (url, protocols) =>
  new WebSocket(url.replace(/:\d+\//, `:${closedPort}/`), protocols) as unknown as WebSocketLike;

/** Writes a job.yaml of a cheap 2-node DDP job (by default in alice's home) and returns its file name. */
async function jobFile(name: string, command: string, extra = '', workingDir = home): Promise<string> {
  const file = `${name}.yaml`;
  await writeFile(
    path.join(cwd, file),
    `name: ${name}
mode: ddp
nodes: 2
command: ${JSON.stringify(command)}
workingDir: ${workingDir}
resources: { cpu: 0.1, memory: 64Mi }
${extra}`,
  );
  return file;
}

function jobText(file: string): string {
  return readFileSync(path.join(cwd, file), 'utf8');
}

function submittedId(stdout: string): string {
  const id = /^(job-[0-9a-f]+)\b/m.exec(stdout)?.[1];
  expect(id, stdout).toBeDefined();
  return id!;
}

/** Polls until `check` holds (for output produced by a command still running). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  expect(check(), what).toBe(true);
}

describe('aiplat submit', () => {
  it('submits a job.yaml and, with --wait, exits 0 once it succeeds', async () => {
    const file = await jobFile('cli-ok', 'echo hello from $RANK');
    const run = await aiplat(['submit', '-f', file, '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^job-[0-9a-f]+ submitted: cli-ok \(ddp, 2 instances, queue default, priority 5\)\n$/);
    const id = submittedId(run.stdout);
    expect(run.stderr).toContain(`${id}: Succeeded`);
    expect((await fx.client().getJob({ params: { id } })).state).toBe('Succeeded');
  });

  it('exits 1 with the failure reason when the job fails', async () => {
    const file = await jobFile('cli-fail', 'exit 3');
    const run = await aiplat(['submit', '-f', file, '--wait']);
    expect(run.code).toBe(1);
    const id = submittedId(run.stdout);
    expect(run.stderr).toContain(`${id}: Failed`);
    expect(run.stderr).toMatch(new RegExp(`^${id} failed: instance \\d .*3`, 'm'));
  });

  it('streams the logs of every instance with --follow, prefixed with the instance name', async () => {
    const file = await jobFile('cli-follow', 'echo hello from $RANK; echo done $RANK');
    const run = await aiplat(['submit', '-f', file, '--follow']);
    expect(run.code, run.stderr).toBe(0);
    for (const rank of [0, 1]) {
      const mine = run.stdout.split('\n').filter((l) => l.startsWith(`[node-${rank}] `) && !l.includes('started:'));
      expect(mine.filter((l) => !/exited: code/.test(l))).toEqual([
        `[node-${rank}] hello from ${rank}`,
        `[node-${rank}] done ${rank}`,
      ]);
    }
  });

  it('waits by polling when the WebSocket cannot be opened', async () => {
    const file = await jobFile('cli-poll', 'echo polled');
    const run = await aiplat(['submit', '-f', file, '--wait'], { createWebSocket: brokenSockets });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(': Succeeded');
  });

  it('prints validation errors with the job.yaml field path and line, and exits 1', async () => {
    const file = await jobFile('cli-invalid', 'echo x', 'priority: 12\n');
    await writeFile(path.join(cwd, file), jobText(file).replace('nodes: 2', 'nodes: 0'));
    const run = await aiplat(['submit', '-f', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: invalid job\n/);
    expect(run.stderr).toMatch(/^ {2}nodes: .*\(line 3\)$/m);
    expect(run.stderr).toMatch(/^ {2}priority: .*\(line 7\)$/m);

    await writeFile(path.join(cwd, 'broken.yaml'), 'name: [oops\n');
    const broken = await aiplat(['submit', '-f', 'broken.yaml']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^ {2}\(root\): YAML syntax error at line \d+/m);
  });

  it('reads the job from standard input with -f -, applying --name and --set', async () => {
    const file = await jobFile('cli-stdin', 'echo $EPOCHS');
    const run = await aiplat(
      ['submit', '-f', '-', '-q', '--name', 'from-stdin', '--set', 'nodes=1', '--set', 'env.EPOCHS=3'],
      { stdin: jobText(file) },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^job-[0-9a-f]+\n$/);
    const job = await fx.client().getJob({ params: { id: run.stdout.trim() } });
    expect(job.spec).toMatchObject({ name: 'from-stdin', nodes: 1, env: { EPOCHS: '3' } });
  });

  it('exits 2 on usage errors, saying what to do', async () => {
    const noFile = await aiplat(['submit']);
    expect(noFile).toMatchObject({ code: 2 });
    expect(noFile.stderr).toContain('aiplat submit -f job.yaml');
    const missing = await aiplat(['submit', '-f', 'nowhere.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read nowhere.yaml: no such file');
    const badSet = await aiplat(['submit', '-f', 'nowhere.yaml', '--set', 'nodes']);
    expect(badSet.code).toBe(2);
    expect((await aiplat(['list', '--limit', '0'])).code).toBe(2);
    expect((await aiplat(['list', '--state', 'Sleeping'])).stderr).toContain('unknown state "Sleeping"');
    expect((await aiplat(['list', '-o', 'xml'])).code).toBe(2);
    expect((await aiplat(['logs'])).code).toBe(2);
    const unknown = await aiplat(['launch']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'launch'");
  });
});

describe('aiplat list', () => {
  it('prints a table of jobs with their state, mode, nodes, queue, age and progress or reason', async () => {
    const ok = await jobFile('list-ok', 'echo ok', 'tags: { suite: list }\n');
    const bad = await jobFile('list-bad', 'exit 4', 'tags: { suite: list }\npriority: 2\n');
    const okId = submittedId((await aiplat(['submit', '-f', ok, '--wait'])).stdout);
    const badId = submittedId((await aiplat(['submit', '-f', bad, '--wait'])).stdout);

    const run = await aiplat(['list', '--tag', 'suite=list']);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/ {3,}/));
    expect(header).toEqual(['ID', 'NAME', 'STATE', 'MODE', 'NODES', 'QUEUE(P)', 'AGE', 'PROGRESS/REASON']);
    expect(rows).toHaveLength(2);
    // Newest first.
    expect(rows[0]).toEqual([
      badId,
      'list-bad',
      'Failed',
      'ddp',
      '2',
      'default(2)',
      expect.stringMatching(/^\d+[sm]/),
      expect.stringMatching(/^instance \d exited/),
    ]);
    expect(rows[1]).toEqual([
      okId,
      'list-ok',
      'Succeeded',
      'ddp',
      '2',
      'default(5)',
      expect.stringMatching(/^\d+[sm]/),
      '-',
    ]);

    const failed = await aiplat(['list', '--tag', 'suite=list', '--state', 'failed,Stopped']);
    expect(failed.stdout).toContain(badId);
    expect(failed.stdout).not.toContain(okId);
    const none = await aiplat(['list', '--tag', 'suite=list', '--state', 'Running']);
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: 'No jobs.\n' });

    const first = await aiplat(['list', '--tag', 'suite=list', '--limit', '1']);
    expect(first.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(first.stderr).toContain('use --all or --limit');
    const json = JSON.parse((await aiplat(['list', '--tag', 'suite=list', '--all', '-o', 'json'])).stdout) as Job[];
    expect(json.map((j) => j.id)).toEqual([badId, okId]);
    const yaml = parseYaml((await aiplat(['list', '--tag', 'suite=list', '--mine', '-o', 'yaml'])).stdout) as Job[];
    expect(yaml.map((j) => j.spec.name)).toEqual(['list-bad', 'list-ok']);
    const wide = await aiplat(['ls', '--tag', 'suite=list', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]?.split(/ {3,}/)).toEqual([
      'ID',
      'NAME',
      'STATE',
      'MODE',
      'NODES',
      'QUEUE(P)',
      'AGE',
      'USER',
      'ENGINE',
      'RESTARTS',
      'CREATED',
      'PROGRESS/REASON',
    ]);
    expect(wide.stdout).toContain('alice');
  });
});

describe('aiplat logs', () => {
  let id: string;
  beforeAll(async () => {
    const file = await jobFile('logs-job', 'echo out-$RANK; echo ERR-$RANK >&2');
    id = submittedId((await aiplat(['submit', '-f', file, '--wait'])).stdout);
  });

  it('prints every instance, prefixed with the instance name', async () => {
    const run = await aiplat(['logs', id, '--stream', 'stdout,stderr']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '[node-0] ERR-0',
      '[node-0] out-0',
      '[node-1] ERR-1',
      '[node-1] out-1',
    ]);
    const all = await aiplat(['logs', id]);
    expect(all.stdout).toMatch(/^\[node-1\] started: pid \d+/m);
    expect(all.stdout).toMatch(/^\[node-0\] exited: code 0$/m);
  });

  it('prints one instance without a prefix, and filters by stream, text and time', async () => {
    expect((await aiplat(['logs', id, '--instance', '1', '--stream', 'stdout'])).stdout).toBe('out-1\n');
    expect((await aiplat(['logs', id, '--search', 'err-1'])).stdout).toBe('[node-1] ERR-1\n');
    const stamped = await aiplat(['logs', id, '--instance', '0', '--stream', 'stderr', '--timestamps']);
    expect(stamped.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERR-0\n$/);
    expect((await aiplat(['logs', id, '--since', '2099-01-01T00:00:00Z'])).stdout).toBe('');
    expect((await aiplat(['logs', id, '--since', '1h', '--instance', '0', '--stream', 'stdout'])).stdout).toBe(
      'out-0\n',
    );
    const noInstance = await aiplat(['logs', id, '--instance', '5']);
    expect(noInstance.code).toBe(1);
    expect(noInstance.stderr).toContain('instance 5 does not exist');
    expect((await aiplat(['logs', id, '--since', 'yesterday'])).code).toBe(2);
  });

  /** A job that prints `a-1..3`, waits for a `go` file, then prints `b-1..30` and ends. */
  async function gatedJob(name: string): Promise<{ id: string; go: () => Promise<void>; expected: string[] }> {
    const dir = await homeFolder(fx.workRoot, 'alice', name);
    const file = await jobFile(
      name,
      'for i in 1 2 3; do echo a-$i; done; while [ ! -f go ]; do sleep 0.05; done; for i in $(seq 1 30); do echo b-$i; done',
      '',
      dir,
    );
    const jobId = submittedId((await aiplat(['submit', '-f', file])).stdout);
    const expected = ['a-1', 'a-2', 'a-3', ...Array.from({ length: 30 }, (_, i) => `b-${i + 1}`)];
    return {
      id: jobId,
      go: () => writeFile(path.join(fx.workRoot, 'home', 'alice', name, 'go'), ''),
      expected,
    };
  }

  function perInstance(stdout: string): string[][] {
    const out: string[][] = [[], []];
    for (const line of stdout.split('\n').filter(Boolean)) {
      const match = /^\[node-(\d)\] (.*)$/.exec(line);
      expect(match, line).not.toBeNull();
      out[Number(match![1])]!.push(match![2]!);
    }
    return out;
  }

  it('-f follows a running job to its end, every line exactly once and in order', async () => {
    const job = await gatedJob('follow-gated');
    await waitForState(fx.client(), job.id, 'Running');
    const stdout = outputSink();
    const following = aiplat(['logs', '-f', job.id, '--stream', 'stdout'], { stdout });
    // The existing lines came over HTTP; the rest must come over the WebSocket follow.
    await until(() => stdout.text.includes('[node-0] a-3') && stdout.text.includes('[node-1] a-3'), stdout.text);
    await job.go();
    const run = await following;
    expect(run.code, run.stderr).toBe(0);
    const lines = perInstance(run.stdout);
    expect(lines[0]).toEqual(job.expected);
    expect(lines[1]).toEqual(job.expected);
    expect((await fx.client().getJob({ params: { id: job.id } })).state).toBe('Succeeded');
  });

  it('-f falls back to polling when the WebSocket cannot be opened', async () => {
    const job = await gatedJob('follow-polled');
    await waitForState(fx.client(), job.id, 'Running');
    const stdout = outputSink();
    const following = aiplat(['logs', '-f', job.id, '--stream', 'stdout'], { stdout, createWebSocket: brokenSockets });
    await until(() => stdout.text.includes('[node-0] a-3') && stdout.text.includes('[node-1] a-3'), stdout.text);
    await job.go();
    const run = await following;
    expect(run.code, run.stderr).toBe(0);
    expect(perInstance(run.stdout)).toEqual([job.expected, job.expected]);
  });

  it('-f on a finished job prints what there is and ends', async () => {
    const run = await aiplat(['logs', '-f', id, '--instance', '1', '--stream', 'stdout']);
    expect(run).toMatchObject({ code: 0, stdout: 'out-1\n' });
  });
});

describe('aiplat stop, env and the other job commands', () => {
  it('stop ends a running job; submit --wait on it exits 1', async () => {
    const file = await jobFile('cli-sleep', 'sleep 60');
    const stdout = outputSink();
    const waiting = aiplat(['submit', '-f', file, '--wait', '-q'], { stdout });
    await until(() => /^job-\w+\n/.test(stdout.text), 'the job id');
    const id = stdout.text.trim();
    await waitForState(fx.client(), id, 'Running');
    const stop = await aiplat(['stop', id]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(new RegExp(`^${id}: (Stopping|Stopped)\n$`));
    const waited = await waiting;
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(`${id}: Running`);
    expect(waited.stderr).toContain(`${id} was stopped`);
    expect((await fx.client().getJob({ params: { id } })).state).toBe('Stopped');

    const again = await aiplat(['stop', '--force', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: job .* has already finished \(Stopped\); nothing to stop\n$/);
  });

  it('env shows what each instance got, sorted: MASTER_ADDR, RANK...', async () => {
    const file = await jobFile('cli-env', 'true', 'env: { EPOCHS: "2" }\n');
    const id = submittedId((await aiplat(['submit', '-f', file, '--wait'])).stdout);
    const run = await aiplat(['env', id]);
    expect(run.code, run.stderr).toBe(0);
    const blocks = run.stdout.split('\n\n');
    expect(blocks).toHaveLength(2);
    for (const [rank, block] of blocks.entries()) {
      const [title, ...vars] = block.trimEnd().split('\n');
      expect(title).toBe(`# node-${rank} (instance ${rank})`);
      expect(vars).toContain('MASTER_ADDR=127.0.0.1');
      expect(vars).toContain(`RANK=${rank}`);
      expect(vars).toContain('WORLD_SIZE=2');
      expect(vars).toContain('EPOCHS=2');
      const names = vars.map((v) => v.slice(0, v.indexOf('=')));
      expect(names).toEqual([...names].sort());
    }
    const one = await aiplat(['env', id, '--instance', '1']);
    expect(one.stdout).toMatch(/^RANK=1$/m);
    expect(one.stdout).not.toMatch(/^RANK=0$/m);
    expect(one.stdout).not.toContain('#');
    const json = JSON.parse((await aiplat(['env', id, '-o', 'json'])).stdout) as {
      instances: { index: number; env: Record<string, string> }[];
    };
    expect(json.instances.map((i) => i.env.RANK)).toEqual(['0', '1']);
    const missing = await aiplat(['env', id, '--instance', '7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('instance 7 does not exist; this job has 2');
  });

  it('get, events, copy, start-again and delete', async () => {
    const file = await jobFile('cli-ops', 'echo ops', 'tags: { team: vision }\n');
    const id = submittedId((await aiplat(['submit', '-f', file, '--wait'])).stdout);

    const get = await aiplat(['get', id]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/^State: +Succeeded$/m);
    expect(get.stdout).toMatch(/^Mode: +ddp, 2 nodes$/m);
    expect(get.stdout).toMatch(/^Tags: +team=vision$/m);
    expect(get.stdout).toMatch(/^ {2}1 +node-1 +Succeeded +.* 0$/m);
    const asYaml = parseYaml((await aiplat(['get', id, '-o', 'yaml'])).stdout) as JobDetail;
    expect(asYaml).toMatchObject({ id, state: 'Succeeded' });
    expect((JSON.parse((await aiplat(['get', id, '-o', 'json'])).stdout) as JobDetail).instances).toHaveLength(2);

    const events = await aiplat(['events', id]);
    expect(events.stdout.split('\n')[0]?.split(/ {3,}/)).toEqual(['TIME', 'TYPE', 'STATE', 'INSTANCE', 'MESSAGE']);
    expect(events.stdout).toMatch(/ submitted +submitted by alice$/m);
    expect(events.stdout).toMatch(/ succeeded +Succeeded /m);

    const copy = await aiplat(['copy', id]);
    const parsed = parseJobYaml(copy.stdout);
    expect('spec' in parsed && parsed.spec).toMatchObject({ name: 'cli-ops-copy', nodes: 2, tags: { team: 'vision' } });
    const resubmitted = await aiplat(['submit', '-f', '-', '--wait'], { stdin: copy.stdout });
    expect(resubmitted.code, resubmitted.stderr).toBe(0);
    expect(resubmitted.stdout).toContain('submitted: cli-ops-copy');
    const copyId = submittedId(resubmitted.stdout);

    const again = await aiplat(['start-again', id]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^${id} started again: (Submitting|Queued|Starting|Running)\n$`));
    await waitForJob(fx.client(), id);

    // Deletes the copy, finished a while ago (deleting a job the moment it finishes races the
    // backend's own last read of its logs).
    expect(await aiplat(['delete', copyId])).toMatchObject({ code: 0, stdout: `${copyId} deleted\n` });
    const gone = await aiplat(['get', copyId]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: no job /);
  });
});

describe('connection problems', () => {
  it('says how to set a missing token, and exits 2', async () => {
    const run = await aiplat(['list'], { env: { AIPLAT_TOKEN: undefined } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: no API token: pass --token <token> or set AIPLAT_TOKEN/);
  });

  it('says the server cannot be reached at its URL', async () => {
    const url = `http://127.0.0.1:${closedPort}`;
    const run = await aiplat(['list'], { env: { AIPLAT_SERVER: url } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: cannot reach the server at ${url} (ECONNREFUSED); is it running? Set --server or AIPLAT_SERVER to its URL\n`,
    );
    // --server and --token win over the environment, before or after the command.
    const flags = await aiplat(['list', '--server', fx.baseUrl, '--token', TOKENS.bob, '-o', 'json'], {
      env: { AIPLAT_SERVER: url, AIPLAT_TOKEN: undefined },
    });
    expect(flags.code, flags.stderr).toBe(0);
    expect((await aiplat(['--server', 'ftp://x', 'list'])).code).toBe(2);
  });

  it('names the token as the problem when the server refuses it', async () => {
    const run = await aiplat(['list'], { env: { AIPLAT_TOKEN: 'not-a-real-token-0000' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: .*\(check --token or AIPLAT_TOKEN\)\n$/);
  });

  it('prints help with examples for each command', async () => {
    const help = await aiplat(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['submit', 'list', 'get', 'logs', 'events', 'env', 'stop', 'delete', 'start-again', 'copy']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
      const own = await aiplat([command, '--help']);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: aiplat ${command}`);
      expect(own.stdout).toContain('Examples:');
    }
  });
});
