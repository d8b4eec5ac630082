import { DevMachineIdParamsSchema } from './schemas/devMachines.js';
import {
  DeleteImageResponseSchema,
  ImageListResponseSchema,
  ImageParamsSchema,
  ImageSavePreviewBodySchema,
  ImageSavePreviewSchema,
  ImageSaveListResponseSchema,
  ImageSaveParamsSchema,
  ImageSaveSchema,
  ImageSchema,
  ImageShareBodySchema,
  ImageShareSchema,
  RedeemImageBodySchema,
  SaveImageBodySchema,
} from './schemas/images.js';
import { route } from './route.js';

/** The image catalog and "save environment as image" (a part of `routes`). */
export const imageRoutes = {
  listImages: route({
    method: 'get',
    path: '/api/images',
    summary:
      "The images the user can choose: the platform's presets, the user's saved images and images shared with them",
    tag: 'images',
    response: ImageListResponseSchema,
  }),
  getImage: route({
    method: 'get',
    path: '/api/images/:id',
    summary: 'One image, with its layers, size and history read from the registry',
    tag: 'images',
    params: ImageParamsSchema,
    response: ImageSchema,
  }),
  deleteImage: route({
    method: 'delete',
    path: '/api/images/:id',
    summary: 'Delete a saved image from the registry and the catalog, or take a shared one off your list',
    tag: 'images',
    params: ImageParamsSchema,
    response: DeleteImageResponseSchema,
  }),
  shareImage: route({
    method: 'post',
    path: '/api/images/:id/share',
    summary: 'A share token (口令) for one of your saved images, shown once',
    tag: 'images',
    params: ImageParamsSchema,
    body: ImageShareBodySchema,
    response: ImageShareSchema,
  }),
  redeemImage: route({
    method: 'post',
    path: '/api/images/redeem',
    summary: 'Add an image another user shared with you, by its token',
    tag: 'images',
    body: RedeemImageBodySchema,
    response: ImageSchema,
  }),
  previewImageSave: route({
    method: 'post',
    path: '/api/devmachines/:id/image-preview',
    summary:
      'What saving this running dev machine as an image would put in the new layer: size, files, largest folders, exclusions',
    tag: 'images',
    params: DevMachineIdParamsSchema,
    body: ImageSavePreviewBodySchema,
    response: ImageSavePreviewSchema,
  }),
  saveImage: route({
    method: 'post',
    path: '/api/devmachines/:id/save-image',
    summary:
      "Save this running dev machine's changes as a new image (one layer on its base image), pushed to the platform's registry; progress on the image-saves topic",
    tag: 'images',
    params: DevMachineIdParamsSchema,
    body: SaveImageBodySchema,
    response: ImageSaveSchema,
  }),
  listImageSaves: route({
    method: 'get',
    path: '/api/image-saves',
    summary: "The user's image saves, newest first",
    tag: 'images',
    response: ImageSaveListResponseSchema,
  }),
  cancelImageSave: route({
    method: 'post',
    path: '/api/image-saves/:id/cancel',
    summary: 'Cancel a running save; nothing half-written stays in the registry',
    tag: 'images',
    params: ImageSaveParamsSchema,
    response: ImageSaveSchema,
  }),
} as const;
