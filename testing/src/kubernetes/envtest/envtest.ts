import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort, killGroup, processGroups, type ProcessGroups } from '../../processes.js';
import { findEnvtestAssets, type EnvtestAssets } from './assets.js';

/*
 * A real etcd and kube-apiserver on free loopback ports, envtest-style: static token users (an admin
 * in system:masters and plain users for RBAC tests), a temporary data folder, and teardown that
 * stops the API server before etcd. No controller-manager, scheduler or kubelet: objects are stored
 * and validated, nothing runs.
 */

/** A plain user with no groups (beyond system:authenticated): RBAC tests bind Roles to it. */
export const ENGINE_USER = 'aiplat-engine';

export interface EnvtestUser {
  name: string;
  groups?: readonly string[];
}

export interface StartEnvtestOptions {
  /** Default: findEnvtestAssets(). */
  assets?: EnvtestAssets;
  /** More static token users besides `admin` and `engine` (tokens must be known when the API server starts). */
  users?: readonly EnvtestUser[];
  /** How long to wait for /readyz; default 30 s. */
  readyTimeoutMs?: number;
  /** More kube-apiserver flags, e.g. `--watch-cache-sizes=pods#0` (pods' watches read etcd itself). */
  apiServerFlags?: readonly string[];
}

export interface Envtest {
  /** `https://127.0.0.1:<port>`. */
  server: string;
  /** The admin's (system:masters), trusting the API server's own certificate. */
  kubeConfig: KubeConfig;
  /** Bearer tokens by user: `admin`, `engine` (user aiplat-engine) and each of `options.users` by name. */
  tokens: Readonly<Record<string, string>> & { admin: string; engine: string };
  /** A KubeConfig authenticating with the token of `user` (a key of `tokens`). */
  kubeConfigFor(user: string): KubeConfig;
  /** etcd's client URL (`etcdctl --endpoints … compact`). */
  etcdEndpoint: string;
  /** The temporary folder: etcd's data, certificates, the tokens file and each process's log. */
  dataDir: string;
  /** Stops the API server and starts it again on the same port and etcd; resolves once it is ready. */
  restartApiServer(): Promise<void>;
  /** The last lines of etcd's and the API server's logs. */
  logTails(lines?: number): string;
  /** Stops the API server, then etcd, and removes the data folder. */
  stop(): Promise<void>;
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return `(no ${path.basename(file)})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** GET /readyz with `token`; true once it answers 200 `ok`. The server's certificate is not known yet. */
function ready(server: string, token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = https.get(
      `${server}/readyz`,
      { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false, timeout: 2_000 },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve(response.statusCode === 200 && body.trim() === 'ok'));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function kubeConfigOf(server: string, ca: string, user: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'envtest', server, caData: Buffer.from(ca).toString('base64'), skipTLSVerify: false }],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: 'envtest', user, namespace: 'default' }],
    currentContext: user,
  });
  return kc;
}

interface Running {
  child: ChildProcess;
  log: string;
}

/** Starts `binary` in its own process group with stdout and stderr appended to `log`. */
function launch(binary: string, args: string[], log: string, groups: ProcessGroups): Running {
  const fd = openSync(log, 'a');
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  child.on('error', () => undefined); // reported by the readiness wait, with the log
  groups.track({ child, output: () => tail(log, 200) });
  return { child, log };
}

function exited(running: Running): boolean {
  return running.child.exitCode !== null || running.child.signalCode !== null;
}

/**
 * Starts etcd and kube-apiserver and waits until /readyz is ok; throws with their log tails
 * otherwise. A port taken between choosing it and binding it (another test file) means new ports.
 */
export async function startEnvtest(options: StartEnvtestOptions = {}): Promise<Envtest> {
  const assets = options.assets ?? findEnvtestAssets();
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(assets, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test(String(error))) throw error;
    }
  }
}

async function startOnce(assets: EnvtestAssets, options: StartEnvtestOptions): Promise<Envtest> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-envtest-run-'));
  const certDir = path.join(dataDir, 'certs');
  await mkdir(certDir);

  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  await writeFile(path.join(dataDir, 'sa.pub'), publicKey);
  await writeFile(path.join(dataDir, 'sa.key'), privateKey, { mode: 0o600 });

  const users: { key: string; name: string; groups: readonly string[] }[] = [
    { key: 'admin', name: 'admin', groups: ['system:masters'] },
    { key: 'engine', name: ENGINE_USER, groups: [] },
    ...(options.users ?? []).map((user) => ({ key: user.name, name: user.name, groups: user.groups ?? [] })),
  ];
  const tokens: Record<string, string> = {};
  const names: Record<string, string> = {};
  for (const user of users) {
    tokens[user.key] = randomBytes(24).toString('hex');
    names[user.key] = user.name;
  }
  // token,user,uid[,"group1,group2"]
  const csv = users.map((u) => [
    tokens[u.key],
    u.name,
    u.name,
    ...(u.groups.length ? [`"${u.groups.join(',')}"`] : []),
  ]);
  await writeFile(path.join(dataDir, 'tokens.csv'), csv.map((fields) => `${fields.join(',')}\n`).join(''), {
    mode: 0o600,
  });

  const [etcdClient, etcdPeer, etcdMetrics, securePort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const etcdEndpoint = `http://127.0.0.1:${etcdClient}`;
  const server = `https://127.0.0.1:${securePort}`;
  const etcdLog = path.join(dataDir, 'etcd.log');
  const apiLog = path.join(dataDir, 'kube-apiserver.log');
  const etcdArgs = [
    '--name=default',
    `--data-dir=${path.join(dataDir, 'etcd')}`,
    `--listen-client-urls=${etcdEndpoint}`,
    `--advertise-client-urls=${etcdEndpoint}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeer}`,
    `--listen-metrics-urls=http://127.0.0.1:${etcdMetrics}`,
  ];
  const apiArgs = [
    `--etcd-servers=${etcdEndpoint}`,
    `--secure-port=${securePort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--cert-dir=${certDir}`,
    `--token-auth-file=${path.join(dataDir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${path.join(dataDir, 'sa.pub')}`,
    `--service-account-signing-key-file=${path.join(dataDir, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    // As kubeadm's clusters (and controller-runtime's envtest) run it.
    '--allow-privileged=true',
    ...(options.apiServerFlags ?? []),
  ];

  const groups = processGroups(dataDir);
  let etcd: Running | undefined;
  let apiServer: Running | undefined;
  // If the test process exits without stop(), nothing outlives it (the watchdog covers a killed process).
  const killOnExit = () => {
    for (const running of [apiServer, etcd]) {
      if (running?.child.pid === undefined) continue;
      try {
        process.kill(-running.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killOnExit);

  const logTails = (lines = 20) =>
    `--- etcd (${etcdLog}):\n${tail(etcdLog, lines)}\n--- kube-apiserver (${apiLog}):\n${tail(apiLog, lines)}`;

  const startApiServer = async () => {
    const started = launch(assets.kubeApiServer, apiArgs, apiLog, groups);
    apiServer = started;
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      if (await ready(server, tokens.admin!)) return;
      const gone = [started, etcd!].find(exited);
      if (gone || Date.now() > deadline) {
        const why = gone
          ? `${gone === started ? 'kube-apiserver' : 'etcd'} exited (${gone.child.exitCode ?? gone.child.signalCode})`
          : `${server}/readyz was not ok within ${readyTimeoutMs / 1000} s`;
        throw new Error(`the envtest API server did not start (${assets.source}): ${why}\n${logTails()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // SIGTERM to the group, SIGKILL after a grace.
  const stopProcess = async (running: Running | undefined) => {
    if (running) await killGroup(running.child);
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(apiServer);
    await stopProcess(etcd);
    await groups.killAll();
    process.off('exit', killOnExit);
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    etcd = launch(assets.etcd, etcdArgs, etcdLog, groups);
    await startApiServer();
  } catch (error) {
    await stop();
    throw error;
  }

  // The API server made itself a self-signed certificate in cert-dir: the KubeConfigs trust exactly it.
  const ca = await readFile(path.join(certDir, 'apiserver.crt'), 'utf8');
  const kubeConfigFor = (user: string) => {
    const token = tokens[user];
    if (token === undefined) {
      throw new Error(
        `envtest has no user ${user}; its users are ${Object.keys(tokens).join(', ')} (add one with startEnvtest({ users }))`,
      );
    }
    return kubeConfigOf(server, ca, names[user]!, token);
  };

  return {
    server,
    kubeConfig: kubeConfigFor('admin'),
    tokens: tokens as Envtest['tokens'],
    kubeConfigFor,
    etcdEndpoint,
    dataDir,
    async restartApiServer() {
      if (stopped) throw new Error('envtest is stopped; start a new one');
      await stopProcess(apiServer);
      await startApiServer();
    },
    logTails,
    stop,
  };
}
