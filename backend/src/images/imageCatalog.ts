import { createHash, randomBytes } from 'node:crypto';
import { ApiError, type Image, type ImageHistoryEntry } from '@aiplat/api';
import type { ImageRecord, ImageStore } from './imageStore.js';

/** A preset the operator lists in the configuration (`images.presets`). */
export interface PresetImage {
  ref: string;
  description?: string;
}

/** What the registry says about an image: read on demand, never copied into the catalog. */
export interface ImageDetails {
  digest: string;
  sizeBytes: number;
  layers: number;
  history: ImageHistoryEntry[];
}

/** The registry side of the catalog (the OCI distribution client behind it). */
export interface ImageRegistry {
  inspect(ref: string): Promise<ImageDetails>;
  /** Deletes the manifest the ref's tag points to. */
  delete(ref: string): Promise<void>;
}

export interface ImageCatalogDeps {
  store: ImageStore;
  presets: readonly PresetImage[];
  registry?: ImageRegistry;
  now?: () => Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_PREFIX = 'aiplat-img-';

/**
 * The images a user can choose: the operator's presets, the images they saved and the images others
 * shared with them by token. Saved images are in the platform's registry; the catalog keeps who owns
 * which ref, and reads sizes, layers and history from the registry.
 */
export class ImageCatalog {
  private readonly now: () => Date;

  constructor(private readonly deps: ImageCatalogDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  list(user: string): Image[] {
    return [...this.deps.store.list(user).map(toImage), ...this.presets()];
  }

  async get(id: string, user: string): Promise<Image> {
    const image = this.visible(id, user);
    if (!this.deps.registry) return image;
    try {
      const details = await this.deps.registry.inspect(image.ref);
      return { ...image, ...details };
    } catch (error) {
      // The catalog entry stays useful when the registry is away: say so instead of failing the read.
      return { ...image, description: image.description ?? `registry: ${(error as Error).message}` };
    }
  }

  /** Records an image saved from a dev machine (the save has pushed it). */
  recordSaved(record: Omit<ImageRecord, 'id' | 'source' | 'createdAt'>): Image {
    const saved: ImageRecord = {
      id: newImageId(),
      source: 'saved',
      createdAt: this.now().toISOString(),
      ...record,
    };
    this.deps.store.insert(saved);
    return toImage(saved);
  }

  async delete(id: string, user: string): Promise<{ deleted: string }> {
    const record = this.owned(id, user);
    if (record.source === 'saved') {
      if (this.deps.registry) await this.deps.registry.delete(record.ref);
      for (const copy of this.deps.store.sharedCopies(record.id)) this.deps.store.delete(copy.id);
    }
    this.deps.store.delete(record.id);
    return { deleted: record.id };
  }

  share(id: string, user: string, expiresInHours?: number): { token: string; expiresAt?: string } {
    const record = this.owned(id, user);
    if (record.source !== 'saved') {
      throw new ApiError('conflict', `${record.ref} was shared with you; only its owner can share it`);
    }
    const token = `${TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const expiresAt =
      expiresInHours === undefined
        ? undefined
        : new Date(this.now().getTime() + expiresInHours * 3_600_000).toISOString();
    this.deps.store.insertShare({
      id: randomBytes(6).toString('hex'),
      imageId: record.id,
      tokenHash: hashToken(token),
      createdAt: this.now().toISOString(),
      ...(expiresAt ? { expiresAt } : {}),
    });
    return { token, ...(expiresAt ? { expiresAt } : {}) };
  }

  redeem(token: string, user: string): Image {
    const share = this.deps.store.shareByHash(hashToken(token.trim()));
    const original = share && this.deps.store.get(share.imageId);
    if (!share || !original) {
      throw new ApiError(
        'not_found',
        'no image is shared with this token: check it was copied whole, or ask for a new one',
      );
    }
    if (share.expiresAt && Date.parse(share.expiresAt) <= this.now().getTime()) {
      throw new ApiError(
        'conflict',
        `this share token expired at ${share.expiresAt}: ask ${original.owner} for a new one`,
      );
    }
    if (original.owner === user) throw new ApiError('conflict', `${original.ref} is already yours`);
    const existing = this.deps.store.list(user).find((image) => image.sharedFrom === original.id);
    if (existing) return toImage(existing);
    const copy: ImageRecord = {
      ...original,
      id: newImageId(),
      source: 'shared',
      owner: user,
      sharedFrom: original.id,
      description: original.description ?? `shared by ${original.owner}`,
      createdAt: this.now().toISOString(),
    };
    this.deps.store.insert(copy);
    return toImage(copy);
  }

  /** An image the user may see: theirs, shared with them, or a preset. */
  private visible(id: string, user: string): Image {
    const preset = this.presets().find((image) => image.id === id);
    if (preset) return preset;
    return toImage(this.owned(id, user));
  }

  private owned(id: string, user: string): ImageRecord {
    const record = this.deps.store.get(id);
    if (record && record.owner === user) return record;
    if (this.presets().some((image) => image.id === id)) {
      throw new ApiError('conflict', 'presets come from the platform configuration: an operator changes them');
    }
    throw new ApiError('not_found', `no image ${id} on your list; list them with GET /api/images`);
  }

  private presets(): Image[] {
    return this.deps.presets.map((preset) => ({
      id: `im-${createHash('sha256').update(preset.ref).digest('hex').slice(0, 12)}`,
      ref: preset.ref,
      source: 'preset',
      owner: 'platform',
      createdAt: new Date(0).toISOString(),
      ...(preset.description ? { description: preset.description } : {}),
    }));
  }
}

function newImageId(): string {
  return `im-${randomBytes(6).toString('hex')}`;
}

function toImage(record: ImageRecord): Image {
  const { sharedFrom: _sharedFrom, ...image } = record;
  return image;
}
