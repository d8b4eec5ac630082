import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ServiceSpecSchema, type ServiceSpecInput } from '@aiplat/api';
import {
  LocalServiceEngine,
  type LocalServiceEngineDeps,
} from '../../../backend/src/engines/local/services/localServiceEngine.js';
import { createSupervisor } from '../../../backend/src/engines/local/supervisor/index.js';
import type { ReadyReplica, ServiceObservation, VersionLaunch } from '../../../backend/src/services/engine.js';
import { localFolderResolver } from '../../../backend/src/services/localFolders.js';
import type { ServiceRecord } from '../../../backend/src/services/serviceStore.js';
import { PathResolver } from '../../../backend/src/workspace/pathResolver.js';
import { seedWorkRoot } from '../../../backend/src/workspace/seed.js';
import { BUILT_SHIM } from '../backend/platformFixture.js';

/*
 * The local service engine on its own, for its tests: a seeded /work (the tiny model), a data
 * folder, a real supervisor, and a lifecycle that records what the engine reports.
 */

export const MODEL_SERVER = fileURLToPath(new URL('./model_server.py', import.meta.url));

/** The model server's readiness path, probed every second. */
export const READY_PROBE = { type: 'http', path: '/ready', periodSeconds: 1 } as const;

/** What the engine told the core, in order. */
export class Recorder {
  readonly seen: { name: string; observation: ServiceObservation }[] = [];

  observed(name: string, observation: ServiceObservation): void {
    this.seen.push({ name, observation });
  }

  /** `type: message` of each event (of one type). */
  events(type?: string): string[] {
    return this.seen.flatMap(({ observation: { event } }) =>
      event && (!type || event.type === type) ? [`${event.type}: ${event.message}`] : [],
    );
  }

  /** The states one replica went through. */
  states(index: number, version = 1): string[] {
    return this.seen.flatMap(({ observation: { replica } }) =>
      replica?.index === index && replica.version === version ? [replica.state] : [],
    );
  }

  /** The last restart count one replica reported. */
  restarts(index: number, version = 1): number | undefined {
    return this.seen.findLast(
      ({ observation: { replica } }) =>
        replica?.index === index && replica.version === version && replica.restarts !== undefined,
    )?.observation.replica?.restarts;
  }

  /** When one replica's process started, as it last reported it. */
  startedAt(index: number, version = 1): string | undefined {
    return this.seen.findLast(
      ({ observation: { replica } }) =>
        replica?.index === index && replica.version === version && replica.startedAt !== undefined,
    )?.observation.replica?.startedAt;
  }

  failures(): string[] {
    return this.seen.flatMap(({ observation: { versionFailed } }) => (versionFailed ? [versionFailed.message] : []));
  }

  /** Each wait reason's message, and null when a wait ended. */
  waits(): (string | null)[] {
    return this.seen.flatMap(({ observation: { waitReason } }) =>
      waitReason === undefined ? [] : [waitReason?.message ?? null],
    );
  }
}

export class LocalServiceFixture {
  private readonly engines: LocalServiceEngine[] = [];

  private constructor(
    /** The /work root, seeded (mount/models/tiny-gpt2). */
    readonly work: string,
    /** The engine's dataDir. */
    readonly data: string,
  ) {}

  static async create(): Promise<LocalServiceFixture> {
    const work = await mkdtemp(path.join(os.tmpdir(), 'aiplat-svc-work-'));
    const data = await mkdtemp(path.join(os.tmpdir(), 'aiplat-svc-data-'));
    await seedWorkRoot(work, 'alice');
    return new LocalServiceFixture(work, data);
  }

  /** An engine reporting to `recorder`: quick backoff, 1 s stop grace, pip with no index by default. */
  engine(recorder: Recorder, extra: Partial<LocalServiceEngineDeps> = {}): LocalServiceEngine {
    const created = new LocalServiceEngine({
      lifecycle: recorder,
      supervisor: createSupervisor({ shimPath: BUILT_SHIM }),
      dataDir: this.data,
      resolveFolder: localFolderResolver(new PathResolver(this.work)),
      baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir() },
      pip: { extraIndexUrls: [], findLinks: [], trustedHosts: [], noIndex: true },
      readyTimeoutMs: 30_000,
      stopGraceMs: 1_000,
      backoff: { firstMs: 100, maxMs: 400 },
      log: pino({ level: 'silent' }),
      ...extra,
    });
    this.engines.push(created);
    return created;
  }

  /** Closes every engine made since the last call. */
  async closeEngines(): Promise<void> {
    await Promise.all(this.engines.splice(0).map((engine) => engine.close()));
  }

  async close(): Promise<void> {
    await this.closeEngines();
    await rm(this.work, { recursive: true, force: true });
    await rm(this.data, { recursive: true, force: true });
  }
}

/** Alice's service `name` at `number`, serving the tiny model with the model server unless told otherwise. */
export function launchOf(
  name: string,
  version: Partial<ServiceSpecInput['version']> = {},
  number = 1,
  top: Partial<Pick<ServiceSpecInput, 'queue' | 'priority'>> = {},
): VersionLaunch {
  const spec = ServiceSpecSchema.parse({
    name,
    auth: ['none'],
    ...top,
    version: {
      model: 'mount/models/tiny-gpt2',
      command: `exec python3 ${MODEL_SERVER}`,
      resources: { cpu: 0.5, memory: '256Mi' },
      ...version,
    },
  });
  const now = new Date().toISOString();
  const service: ServiceRecord = {
    name,
    owner: 'alice',
    tags: {},
    auth: spec.auth,
    limits: spec.limits,
    engine: 'local',
    queue: spec.queue,
    priority: spec.priority,
    state: 'Deploying',
    version: number,
    versions: [{ version: number, spec: spec.version, createdAt: now, serving: true }],
    replicas: [],
    createdAt: now,
    updatedAt: now,
  };
  return { service, version: number, spec: spec.version };
}

/** Where a ready replica listens: always a loopback port on the local engine. */
export function portOf(replica: ReadyReplica | undefined): number {
  const target = replica?.target;
  if (!target || !('port' in target) || target.host !== '127.0.0.1') {
    throw new Error(`not a loopback port: ${JSON.stringify(target)}`);
  }
  return target.port;
}

/** A GET on a replica, as JSON. */
export async function getJson(port: number, urlPath: string): Promise<Record<string, unknown>> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return (await response.json()) as Record<string, unknown>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes `<dist>-0.1-py3-none-any.whl` (a zip: the module, METADATA, WHEEL, RECORD) into `folder`. */
export function buildWheel(folder: string, distribution: string, module: string): void {
  const script = `
import base64, hashlib, os, sys, zipfile
folder, dist, module = sys.argv[1:4]
info = f"{dist.replace('-', '_')}-0.1.dist-info"
files = {
    f"{module}/__init__.py": "VALUE = 42\\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\\nName: {dist}\\nVersion: 0.1\\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\\nGenerator: aiplat-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def digest(text):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
record = "".join(f"{name},{digest(text)},{len(text.encode())}\\n" for name, text in files.items()) + f"{info}/RECORD,,\\n"
with zipfile.ZipFile(os.path.join(folder, f"{dist.replace('-', '_')}-0.1-py3-none-any.whl"), "w") as wheel:
    for name, text in files.items():
        wheel.writestr(name, text)
    wheel.writestr(f"{info}/RECORD", record)
`;
  execFileSync('python3', ['-c', script, folder, distribution, module]);
}
