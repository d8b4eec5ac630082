import { IMAGE_SOURCES, type Image, type ImageSource } from '@aiplat/api';
import { LiveListModel, type LiveListOptions } from '../model/liveListModel.js';

/** A change of the image list: an image added (a save succeeded, a token redeemed) or removed. */
export type ImageChange = { change: 'updated'; image: Image } | { change: 'deleted'; id: string };

/**
 * The images the user can choose, free of `vscode`: `GET /api/images` (presets, saved, shared),
 * re-read at each (re)subscription to `image-saves`; a save that succeeds adds its image.
 */
export type ImagesModel = LiveListModel<Image, ImageChange>;

export function createImagesModel(options: LiveListOptions): ImagesModel {
  return new LiveListModel<Image, ImageChange>(options, {
    topic: 'image-saves',
    changeOf: (event) =>
      event.kind === 'image-saves' && event.data.state === 'Succeeded' && event.data.image
        ? { change: 'updated', image: event.data.image }
        : undefined,
    listChange: (c) =>
      c.change === 'deleted' ? { change: 'deleted', key: c.id } : { change: 'updated', item: c.image },
    list: async (client) => (await client.listImages()).images,
    key: (image) => image.id,
  });
}

/** The images of one source, in the view's order. */
export interface ImageGroup {
  source: ImageSource;
  images: Image[];
}

/** The order of the view's groups: what the user made first, then what was shared, then the presets. */
const GROUP_ORDER: readonly ImageSource[] = ['saved', 'shared', 'preset'];

/**
 * The images grouped by source (saved, shared, preset), empty groups left out; within a group
 * newest first, presets by reference.
 */
export function groupImages(images: readonly Image[]): ImageGroup[] {
  const order = GROUP_ORDER.filter((source) => IMAGE_SOURCES.includes(source));
  return order
    .map((source) => {
      const of = images.filter((image) => image.source === source);
      const sorted =
        source === 'preset'
          ? [...of].sort((a, b) => a.ref.localeCompare(b.ref))
          : [...of].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.ref.localeCompare(b.ref));
      return { source, images: sorted };
    })
    .filter((group) => group.images.length > 0);
}
