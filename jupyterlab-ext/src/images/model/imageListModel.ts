import { IMAGE_SOURCES, type Image, type ImageSource } from '@aiplat/api';
import type { ISignal } from '@lumino/signaling';
import { errorMessage, LiveListModel } from '../../model/liveListModel.js';
import type { IConnectionModel } from '../../tokens.js';

/** The images of one source, newest first. */
export interface ImageGroup {
  source: ImageSource;
  images: readonly Image[];
}

/** An image offered where a form asks for one: its reference and what to say beside it. */
export interface ImageChoice {
  ref: string;
  source: ImageSource;
  description?: string;
}

/** The catalog's images as choices for an image field, and when they change. */
export interface ImageChoices {
  readonly changed: ISignal<unknown, void>;
  readonly choices: readonly ImageChoice[];
}

/** A share token just made: shown once, with the image it opens, until dismissed. */
export interface ImageShareShown {
  imageId: string;
  ref: string;
  token: string;
  expiresAt?: string;
}

/** Presets first, then the user's saved images, then those shared with them; newest first in each. */
export function catalogOrder(a: Image, b: Image): number {
  return (
    IMAGE_SOURCES.indexOf(a.source) - IMAGE_SOURCES.indexOf(b.source) ||
    b.createdAt.localeCompare(a.createdAt) ||
    a.ref.localeCompare(b.ref)
  );
}

/** The images by source, in catalog order, leaving out sources with none. */
export function groupBySource(images: readonly Image[]): ImageGroup[] {
  return IMAGE_SOURCES.map((source) => ({ source, images: images.filter((i) => i.source === source) })).filter(
    (group) => group.images.length > 0,
  );
}

/**
 * The image catalog (`listImages`): presets, saved and shared images, read again when a save of the
 * user's ends Succeeded (`image-saves` topic); its details (size, layers, history from the registry),
 * share tokens shown once, redeeming a token, and deletes. Also the choices of the image fields.
 */
export class ImageListModel extends LiveListModel<Image> implements ImageChoices {
  private readonly _details = new Map<string, Image>();
  private _shown: ImageShareShown | undefined;
  private _redeemError: string | undefined;
  private _redeeming = false;

  constructor(connection: IConnectionModel) {
    super(connection, {
      topic: 'image-saves',
      load: async (client) => (await client.listImages()).images,
      changeOf: (event) =>
        event.kind === 'image-saves' && event.data.state === 'Succeeded' ? { reload: true } : undefined,
      keyOf: (image) => image.id,
      order: catalogOrder,
    });
  }

  get images(): readonly Image[] {
    return this.items;
  }

  get groups(): ImageGroup[] {
    return groupBySource(this.items);
  }

  get choices(): ImageChoice[] {
    return this.items.map((i) => ({
      ref: i.ref,
      source: i.source,
      ...(i.description ? { description: i.description } : {}),
    }));
  }

  /** The image as the registry describes it (size, layers, history), once `loadDetails` read it. */
  detailsOf(id: string): Image | undefined {
    return this._details.get(id);
  }

  /** Reads the image's size, layers and history from the registry (`getImage`). */
  loadDetails(id: string): Promise<void> {
    return this.act(id, async (client) => {
      this._details.set(id, await client.getImage({ params: { id } }));
    });
  }

  /** The share token just made, until dismissed: the API shows it only once. */
  get shareShown(): ImageShareShown | undefined {
    return this._shown;
  }

  /** Makes a share token for one of the user's images, valid for `expiresInHours` (none: until revoked). */
  share(id: string, expiresInHours?: number): Promise<void> {
    return this.act(id, async (client) => {
      const shared = await client.shareImage({
        params: { id },
        body: expiresInHours === undefined ? {} : { expiresInHours },
      });
      const ref = this.items.find((i) => i.id === id)?.ref ?? id;
      this._shown = {
        imageId: id,
        ref,
        token: shared.token,
        ...(shared.expiresAt ? { expiresAt: shared.expiresAt } : {}),
      };
    });
  }

  dismissShare(): void {
    this._shown = undefined;
    this.emit();
  }

  /** Deletes a saved image, or takes a shared one off the user's list. */
  delete(id: string): Promise<void> {
    return this.act(id, async (client) => {
      await client.deleteImage({ params: { id } });
      this._details.delete(id);
      if (this._shown?.imageId === id) this._shown = undefined;
      this.remove(id);
    });
  }

  get redeeming(): boolean {
    return this._redeeming;
  }

  /** What the last redeem failed with (a wrong or expired token...). */
  get redeemError(): string | undefined {
    return this._redeemError;
  }

  /** Adds the image another user shared with this token to the list: it, or undefined (see `redeemError`). */
  async redeem(token: string): Promise<Image | undefined> {
    const client = this.connection.client;
    if (!client || this._redeeming) return undefined;
    this._redeeming = true;
    this._redeemError = undefined;
    this.emit();
    try {
      const image = await client.redeemImage({ body: { token: token.trim() } });
      this.put(image);
      return image;
    } catch (e) {
      this._redeemError = errorMessage(e);
      return undefined;
    } finally {
      this._redeeming = false;
      this.emit();
    }
  }
}
