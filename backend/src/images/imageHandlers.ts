import type { Handlers } from '../server/handlers.js';
import type { ImageCatalog } from './imageCatalog.js';
import type { ImageSaves } from './imageSaves.js';

type ImageRoute =
  | 'listImages'
  | 'getImage'
  | 'deleteImage'
  | 'shareImage'
  | 'redeemImage'
  | 'previewImageSave'
  | 'saveImage'
  | 'listImageSaves'
  | 'cancelImageSave';

export function createImageHandlers(catalog: ImageCatalog, saves: ImageSaves): Pick<Handlers, ImageRoute> {
  return {
    listImages: async (_input, ctx) => ({ images: catalog.list(ctx.user.name) }),
    getImage: ({ params }, ctx) => catalog.get(params.id, ctx.user.name),
    deleteImage: ({ params }, ctx) => catalog.delete(params.id, ctx.user.name),
    shareImage: async ({ params, body }, ctx) => catalog.share(params.id, ctx.user.name, body.expiresInHours),
    redeemImage: async ({ body }, ctx) => catalog.redeem(body.token, ctx.user.name),
    previewImageSave: ({ params, body }, ctx) => saves.preview(params.id, ctx.user.name, body.excludes),
    saveImage: async ({ params, body }, ctx) => saves.start(params.id, ctx.user.name, body),
    listImageSaves: async (_input, ctx) => ({ saves: saves.list(ctx.user.name) }),
    cancelImageSave: async ({ params }, ctx) => saves.cancel(params.id, ctx.user.name),
  };
}
