import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import {
  ApiError,
  type DevMachine,
  type Image,
  type ImageSave,
  type ImageSavePreview,
  type SaveImageBody,
} from '@aiplat/api';
import type { EventPublisher } from '../server/eventPublisher.js';
import { agentStderr, type LayerDigests } from './agentOutput.js';
import type { ImageCatalog } from './imageCatalog.js';
import { SNAPSHOT_AGENT, SNAPSHOT_BASELINE, type SnapshotTarget, type SnapshotTargets } from './snapshotTarget.js';

/** What pushing the new layer onto the base image needs (the OCI distribution client behind it). */
export interface LayerPushInput {
  baseRef: string;
  targetRef: string;
  layer: AsyncIterable<Buffer>;
  /** Resolves once the agent has written the whole layer. */
  digests: Promise<LayerDigests>;
  history: { created: string; createdBy: string; author: string; comment?: string };
  signal: AbortSignal;
  onBytes(bytes: number): void;
}
export interface LayerPusher {
  push(input: LayerPushInput): Promise<{ digest: string; sizeBytes: number; layers: number }>;
}

export interface ImageSavesDeps {
  targets: SnapshotTargets;
  /** The dev machine of this user (404 otherwise). */
  devMachine(id: string, user: string): DevMachine;
  catalog: ImageCatalog;
  pusher?: LayerPusher;
  /** `host[:port]/prefix` saved images go under: `<registry>/<user>/<repository>:<tag>`. */
  registryPrefix?: string;
  events: EventPublisher;
  now?: () => Date;
}

interface Running {
  save: ImageSave;
  abort: AbortController;
}

/**
 * "Save environment as image": the snapshot agent in the dev machine's container writes its changes
 * since the first start as one gzip'd tar layer on stdout, which streams (never stored whole) to the
 * registry as a new layer on the container's base image. Progress goes to the `image-saves` topic.
 */
export class ImageSaves {
  private readonly saves = new Map<string, Running>();
  private readonly now: () => Date;

  constructor(private readonly deps: ImageSavesDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(user: string): ImageSave[] {
    return [...this.saves.values()]
      .map((running) => running.save)
      .filter((save) => save.owner === user)
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async preview(devMachineId: string, user: string, excludes?: readonly string[]): Promise<ImageSavePreview> {
    const target = this.target(devMachineId, user);
    const stdout = collect();
    const stderr = collect();
    const argv = [SNAPSHOT_AGENT, 'preview', '--baseline', SNAPSHOT_BASELINE, ...excludeArgs(excludes)];
    const code = await target.exec(argv, { stdout, stderr });
    if (code !== 0) {
      throw new ApiError('conflict', `the snapshot agent failed (exit ${code}): ${agentMessage(stderr.text())}`);
    }
    try {
      return JSON.parse(stdout.text()) as ImageSavePreview;
    } catch {
      throw new ApiError('internal', `the snapshot agent's preview is not JSON: ${stdout.text().slice(0, 200)}`);
    }
  }

  start(devMachineId: string, user: string, body: SaveImageBody): ImageSave {
    const machine = this.deps.devMachine(devMachineId, user);
    const target = this.target(devMachineId, user);
    const { pusher, registryPrefix } = this.deps;
    if (!pusher || !registryPrefix) {
      throw new ApiError('unavailable', 'no image registry is configured: an operator sets images.registry.url');
    }
    const ref = `${registryPrefix}/${user}/${body.repository}:${body.tag}`;
    if ([...this.saves.values()].some(({ save }) => save.ref === ref && !ended(save))) {
      throw new ApiError('conflict', `${ref} is being saved already`);
    }
    const save: ImageSave = {
      id: `is-${randomBytes(6).toString('hex')}`,
      owner: user,
      devMachineId,
      ref,
      state: 'Scanning',
      startedAt: this.now().toISOString(),
      progress: { bytes: 0, files: 0 },
    };
    const running: Running = { save, abort: new AbortController() };
    this.saves.set(save.id, running);
    this.publish(save);
    void this.run(running, machine, target, body, pusher);
    return save;
  }

  cancel(id: string, user: string): ImageSave {
    const running = this.saves.get(id);
    if (!running || running.save.owner !== user) {
      throw new ApiError('not_found', `no image save ${id} of yours; list them with GET /api/image-saves`);
    }
    if (!ended(running.save)) running.abort.abort();
    return running.save;
  }

  /** Cancels every save (the backend is shutting down). */
  close(): void {
    for (const running of this.saves.values()) running.abort.abort();
  }

  private target(devMachineId: string, user: string): SnapshotTarget {
    const machine = this.deps.devMachine(devMachineId, user);
    if (machine.state !== 'Running') {
      throw new ApiError('conflict', `${machine.spec.name} is ${machine.state}: start it to save it as an image`);
    }
    const target = this.deps.targets.snapshotTarget(devMachineId);
    if (typeof target === 'string') throw new ApiError('conflict', target);
    return target;
  }

  private async run(
    running: Running,
    machine: DevMachine,
    target: SnapshotTarget,
    body: SaveImageBody,
    pusher: LayerPusher,
  ): Promise<void> {
    const { save, abort } = running;
    let agentError: string | undefined;
    let resolveDigests: (digests: LayerDigests) => void = () => {};
    let rejectDigests: (error: Error) => void = () => {};
    const digests = new Promise<LayerDigests>((resolve, reject) => {
      resolveDigests = resolve;
      rejectDigests = reject;
    });
    digests.catch(() => undefined);
    const stderr = agentStderr({
      onPlan: ({ bytes, files }) => this.update(save, { totalBytes: bytes, totalFiles: files }),
      onProgress: ({ bytes, files }) => this.update(save, { bytes, files }),
      onDone: (done) => resolveDigests(done),
      onError: (message) => (agentError = message),
    });
    const layer = new PassThrough({ highWaterMark: 1 << 20 });
    const agent = target
      .exec([SNAPSHOT_AGENT, 'layer', '--baseline', SNAPSHOT_BASELINE, ...excludeArgs(body.excludes)], {
        stdout: layer,
        stderr,
        signal: abort.signal,
      })
      .then((code) => {
        // The runtime writes into the streams it is given but leaves ending them to their owner.
        stderr.end();
        if (code === 0) {
          layer.end();
          return;
        }
        const reason = agentError ?? agentMessage(stderr.tail());
        const failed = new Error(`the snapshot agent failed (exit ${code})${reason ? `: ${reason}` : ''}`);
        rejectDigests(failed);
        // The push reads the layer first: it fails with the agent's reason, not a bare "failed".
        layer.destroy(failed);
      })
      .catch((error: unknown) => {
        rejectDigests(error instanceof Error ? error : new Error(String(error)));
        layer.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    try {
      const pushed = await pusher.push({
        baseRef: target.baseRef,
        targetRef: save.ref,
        layer,
        digests,
        history: {
          created: this.now().toISOString(),
          createdBy: `aiplat save-image from dev machine ${machine.spec.name} (${machine.id})`,
          author: save.owner,
          ...(body.comment ? { comment: body.comment } : {}),
        },
        signal: abort.signal,
        onBytes: () => {
          if (save.state !== 'Pushing') this.update(save, { state: 'Pushing' });
        },
      });
      await agent;
      const image: Image = this.deps.catalog.recordSaved({
        ref: save.ref,
        digest: pushed.digest,
        owner: save.owner,
        sizeBytes: pushed.sizeBytes,
        layers: pushed.layers,
        ...(body.comment ? { description: body.comment } : {}),
        savedFrom: { devMachineId: machine.id, devMachineName: machine.spec.name, baseRef: target.baseRef },
      });
      this.finish(save, { state: 'Succeeded', image });
    } catch (error) {
      layer.destroy();
      await agent;
      if (abort.signal.aborted) this.finish(save, { state: 'Cancelled' });
      else this.finish(save, { state: 'Failed', error: (error as Error).message });
    }
  }

  private update(save: ImageSave, change: Partial<ImageSave['progress']> & { state?: 'Pushing' }): void {
    if (ended(save)) return;
    const { state, ...progress } = change;
    Object.assign(save.progress, progress);
    if (state) save.state = state;
    this.publish(save);
  }

  private finish(save: ImageSave, outcome: Pick<ImageSave, 'state' | 'error' | 'image'>): void {
    Object.assign(save, outcome, { endedAt: this.now().toISOString() });
    this.publish(save);
    this.forgetOldSaves(save.owner);
  }

  /** Keeps the owner's last KEPT_ENDED_SAVES ended saves (the images stay in the catalog). */
  private forgetOldSaves(owner: string): void {
    const endedSaves = this.list(owner).filter(ended);
    for (const old of endedSaves.slice(KEPT_ENDED_SAVES)) this.saves.delete(old.id);
  }

  private publish(save: ImageSave): void {
    this.deps.events.publish('image-saves', 'image-saves', structuredClone(save), { user: save.owner });
  }
}

/** How many ended saves a user's list keeps. */
export const KEPT_ENDED_SAVES = 20;

function ended(save: ImageSave): boolean {
  return save.state === 'Succeeded' || save.state === 'Failed' || save.state === 'Cancelled';
}

/** None given: the agent's default excludes (caches); a list replaces them. */
function excludeArgs(excludes: readonly string[] | undefined): string[] {
  if (!excludes) return [];
  return ['--no-default-excludes', ...excludes.flatMap((pattern) => ['--exclude', pattern])];
}

function collect(): Writable & { text(): string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return Object.assign(stream, { text: () => Buffer.concat(chunks).toString('utf8') });
}

/** The `{"error": …}` line of the agent's stderr, else its last lines. */
function agentMessage(stderr: string): string {
  for (const line of stderr.split('\n').reverse()) {
    try {
      const message = JSON.parse(line) as { error?: string };
      if (typeof message.error === 'string') return message.error;
    } catch {
      // not a protocol line
    }
  }
  return stderr.trim().split('\n').slice(-3).join(' ');
}
