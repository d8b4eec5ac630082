import type { ApiClient, EventMessage, Image, ImageSave, ImageSavePreview } from '@aiplat/api';
import { ApiError } from '@aiplat/api';
import type { EventSource, SubscribeOptions } from '../connection/liveEvents.js';

/*
 * In-memory stand-ins at the images seams, for unit tests: an event source whose subscriptions the
 * test confirms and feeds by hand, and the image routes of the API client over a list in memory.
 * Saves cannot run in a unit test (they need a container runtime and a registry); the test moves
 * them along as the server would.
 */

/** An `image-saves` event source: `confirm()` says the subscription is live, `push()` delivers a save. */
export function fakeSaveEvents() {
  const subscribers = new Set<{ topic: string; handler: (e: EventMessage) => void; options: SubscribeOptions }>();
  const events: EventSource = {
    subscribe: (topic, handler, options = {}) => {
      const entry = { topic, handler, options };
      subscribers.add(entry);
      return { dispose: () => subscribers.delete(entry) };
    },
  };
  const of = (topic: string) => [...subscribers].filter((s) => s.topic === topic);
  return {
    events,
    /** How many subscribe to `image-saves` now. */
    count: () => of('image-saves').length,
    confirm: () => of('image-saves').forEach((s) => s.options.onSubscribed?.()),
    push: (save: ImageSave) =>
      of('image-saves').forEach((s) =>
        s.handler({ type: 'event', topic: 'image-saves', kind: 'image-saves', data: save }),
      ),
  };
}

export function anImage(change: Partial<Image> = {}): Image {
  return {
    id: 'im-000000000001',
    ref: '127.0.0.1:5000/alice/box:v1',
    source: 'saved',
    owner: 'alice',
    createdAt: '2026-12-05T10:00:00.000Z',
    ...change,
  };
}

export function aSave(
  change: Omit<Partial<ImageSave>, 'progress'> & { progress?: Partial<ImageSave['progress']> } = {},
): ImageSave {
  const { progress, ...rest } = change;
  return {
    id: 'is-0123456789ab',
    owner: 'alice',
    devMachineId: 'dm-1',
    ref: '127.0.0.1:5000/alice/box:v1',
    state: 'Scanning',
    startedAt: '2026-12-05T10:00:00.000Z',
    ...rest,
    progress: { bytes: 0, files: 0, ...progress },
  };
}

export const A_PREVIEW: ImageSavePreview = {
  bytes: 2048,
  files: 2,
  entries: 3,
  added: 1,
  modified: 1,
  replaced: 0,
  deleted: 1,
  largestDirectories: [{ path: '/root', bytes: 2048, files: 2 }],
  skipped: [{ path: '/work', reason: 'mount', detail: 'fuse' }],
  excludes: [{ pattern: '/root/.cache/pip', reason: 'pip cache' }],
};

type ImageRoutes =
  | 'listImages'
  | 'getImage'
  | 'deleteImage'
  | 'shareImage'
  | 'redeemImage'
  | 'previewImageSave'
  | 'saveImage'
  | 'listImageSaves'
  | 'cancelImageSave';

/** The image routes over memory; `calls` records each call's route and input. */
export class FakeImageApi implements Pick<ApiClient, ImageRoutes> {
  images: Image[] = [];
  saves: ImageSave[] = [];
  /** What previewImageSave answers, or throws. */
  preview: ImageSavePreview | ApiError = A_PREVIEW;
  /** What saveImage answers (the save as started), or throws. */
  started: ImageSave | ApiError = aSave();
  /** What cancelImageSave answers. */
  cancelled: (save: ImageSave) => ImageSave = (save) => ({ ...save, state: 'Cancelled' });
  readonly calls: { route: ImageRoutes; input?: unknown }[] = [];

  listImages = async () => {
    this.calls.push({ route: 'listImages' });
    return { images: [...this.images] };
  };
  getImage = async (input: { params: { id: string } }) => {
    this.calls.push({ route: 'getImage', input });
    const found = this.images.find((image) => image.id === input.params.id);
    if (!found) throw new ApiError('not_found', `no image ${input.params.id}`);
    return found;
  };
  deleteImage = async (input: { params: { id: string } }) => {
    this.calls.push({ route: 'deleteImage', input });
    this.images = this.images.filter((image) => image.id !== input.params.id);
    return { deleted: input.params.id };
  };
  shareImage = async (input: { params: { id: string }; body: { expiresInHours?: number } }) => {
    this.calls.push({ route: 'shareImage', input });
    const hours = input.body.expiresInHours;
    return {
      token: 'aiplat-img-secret',
      ...(hours ? { expiresAt: new Date(Date.UTC(2026, 11, 5) + hours * 3_600_000).toISOString() } : {}),
    };
  };
  redeemImage = async (input: { body: { token: string } }) => {
    this.calls.push({ route: 'redeemImage', input });
    if (input.body.token !== 'aiplat-img-good') throw new ApiError('not_found', 'no image is shared with this token');
    const image = anImage({ id: 'im-000000000002', ref: '127.0.0.1:5000/bob/env:v2', source: 'shared' });
    this.images.push(image);
    return image;
  };
  previewImageSave = async (input: { params: { id: string }; body: { excludes?: string[] } }) => {
    this.calls.push({ route: 'previewImageSave', input });
    if (this.preview instanceof ApiError) throw this.preview;
    return this.preview;
  };
  saveImage = async (input: { params: { id: string }; body: unknown }) => {
    this.calls.push({ route: 'saveImage', input });
    if (this.started instanceof ApiError) throw this.started;
    this.saves = [this.started, ...this.saves];
    return this.started;
  };
  listImageSaves = async () => {
    this.calls.push({ route: 'listImageSaves' });
    return { saves: [...this.saves] };
  };
  cancelImageSave = async (input: { params: { id: string } }) => {
    this.calls.push({ route: 'cancelImageSave', input });
    const save = this.saves.find((s) => s.id === input.params.id);
    if (!save) throw new ApiError('not_found', `no save ${input.params.id}`);
    const answer = this.cancelled(save);
    this.saves = this.saves.map((s) => (s.id === save.id ? answer : s));
    return answer;
  };

  /** The server moved a save on: what a later listImageSaves reads. */
  record(save: ImageSave): void {
    this.saves = [save, ...this.saves.filter((s) => s.id !== save.id)];
  }

  /** As an `ApiClient` for code that takes one (only the image routes are there). */
  asClient(): ApiClient {
    return this as unknown as ApiClient;
  }
}
