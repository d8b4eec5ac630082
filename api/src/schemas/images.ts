import { z } from 'zod';
import { fieldError, shown, strictObject } from './fieldErrors.js';
import { MAX_SHARE_HOURS } from '../shareHours.js';

/*
 * Images (慧聚 镜像管理, TI-ONE 自定义镜像): the platform's presets, the images users saved from
 * their dev machines ("save environment as image": the container's changes appended as one OCI
 * layer onto its base image and pushed), and images other users shared by token. Selectable wherever
 * an image is chosen: jobs, services, dev machines.
 */

export const IMAGE_SOURCES = ['preset', 'saved', 'shared'] as const;
export const ImageSourceSchema = z.enum(IMAGE_SOURCES);
export type ImageSource = z.infer<typeof ImageSourceSchema>;

export const ImageIdSchema = z.string().regex(/^im-[a-f0-9]{12}$/, 'an image id looks like im-0123456789ab');

/** One step of the image's history, as its OCI config records it (newest last). */
export const ImageHistoryEntrySchema = z.object({
  created: z.string().optional(),
  createdBy: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  emptyLayer: z.boolean().optional(),
});
export type ImageHistoryEntry = z.infer<typeof ImageHistoryEntrySchema>;

export const ImageSchema = z
  .object({
    id: ImageIdSchema,
    /** What to write where an image is chosen: `registry/repository:tag`. */
    ref: z.string(),
    /** The manifest digest the tag pointed to when the image was recorded. */
    digest: z.string().optional(),
    source: ImageSourceSchema,
    owner: z.string(),
    description: z.string().optional(),
    /** Compressed size of all layers, in bytes. */
    sizeBytes: z.number().int().nonnegative().optional(),
    layers: z.number().int().nonnegative().optional(),
    createdAt: z.string(),
    /** For a saved image: the dev machine it was saved from and the image that dev machine ran. */
    savedFrom: z.object({ devMachineId: z.string(), devMachineName: z.string(), baseRef: z.string() }).optional(),
    history: z.array(ImageHistoryEntrySchema).optional(),
  })
  .meta({ id: 'Image' });
export type Image = z.infer<typeof ImageSchema>;

export const ImageListResponseSchema = z.object({ images: z.array(ImageSchema) }).meta({ id: 'ImageList' });
export const ImageParamsSchema = z.object({ id: ImageIdSchema });
export const DeleteImageResponseSchema = z.object({ deleted: ImageIdSchema });

/** A repository path as registries accept it: lowercase components separated by `/`. */
const RepositorySchema = z
  .string({ error: fieldError('repository', 'a repository name such as alice/torch-env') })
  .max(255, 'repository is longer than 255 characters')
  .regex(/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/, {
    error: (iss) =>
      `repository must be lowercase letters, digits and . _ - separated by /, e.g. alice/torch-env; got ${shown(iss.input)}`,
  });
const TagSchema = z
  .string({ error: fieldError('tag', 'a tag such as v1') })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, {
    error: (iss) =>
      `tag must be letters, digits, _ . - (at most 128, not starting with . or -); got ${shown(iss.input)}`,
  });
const ExcludesSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[^\0\n]+$/, 'an exclude pattern is one line'),
    { error: fieldError('excludes', 'a list of paths or patterns, e.g. [/root/.cache]') },
  )
  .max(200, 'excludes lists more than 200 patterns');

/** What "save environment as image" pushes: `<registry>/<repository>:<tag>` on the platform's registry. */
export const SaveImageBodySchema = strictObject(
  {
    repository: RepositorySchema,
    tag: TagSchema,
    comment: z.string().max(1000, 'comment is longer than 1000 characters').optional(),
    /** Replaces the default exclude list (caches) when given. */
    excludes: ExcludesSchema.optional(),
  },
  'the save request',
);
export type SaveImageBody = z.infer<typeof SaveImageBodySchema>;

export const ImageSavePreviewBodySchema = strictObject({ excludes: ExcludesSchema.optional() }, 'the preview request');
export type ImageSavePreviewBody = z.infer<typeof ImageSavePreviewBodySchema>;

/** A path the new layer leaves out, and why. */
export const SkippedPathSchema = z.object({
  path: z.string(),
  /** system: /proc, /tmp, /work…; mount: a mount point; exclude: a pattern; agent, socket, unreadable. */
  reason: z.enum(['system', 'mount', 'exclude', 'agent', 'socket', 'unreadable']),
  /** The pattern, the filesystem type or the error behind the reason. */
  detail: z.string(),
});

/** What a save would put in the new layer, before saving (the snapshot agent's preview). */
export const ImageSavePreviewSchema = z
  .object({
    /** File content the layer carries, and the regular files and tar entries it writes. */
    bytes: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    entries: z.number().int().nonnegative(),
    added: z.number().int().nonnegative(),
    modified: z.number().int().nonnegative(),
    replaced: z.number().int().nonnegative(),
    deleted: z.number().int().nonnegative(),
    largestDirectories: z.array(
      z.object({ path: z.string(), bytes: z.number().int().nonnegative(), files: z.number().int().nonnegative() }),
    ),
    skipped: z.array(SkippedPathSchema),
    /** The exclude patterns in force (the defaults, with why each, when the request gave none). */
    excludes: z.array(z.object({ pattern: z.string(), reason: z.string().optional() })),
  })
  .meta({ id: 'ImageSavePreview' });
export type ImageSavePreview = z.infer<typeof ImageSavePreviewSchema>;

export const IMAGE_SAVE_STATES = ['Scanning', 'Pushing', 'Succeeded', 'Failed', 'Cancelled'] as const;
export const ImageSaveStateSchema = z.enum(IMAGE_SAVE_STATES);
export type ImageSaveState = z.infer<typeof ImageSaveStateSchema>;

export const ImageSaveIdSchema = z.string().regex(/^is-[a-f0-9]{12}$/, 'a save id looks like is-0123456789ab');

/** One "save environment as image": progress while it runs, the image once it is pushed. */
export const ImageSaveSchema = z
  .object({
    id: ImageSaveIdSchema,
    owner: z.string(),
    devMachineId: z.string(),
    ref: z.string(),
    state: ImageSaveStateSchema,
    startedAt: z.string(),
    endedAt: z.string().optional(),
    progress: z.object({
      /**
       * File content put in the new layer so far, and its entries (files, directories, links,
       * whiteouts); the layer streams to the registry as it is written, so this is the push's pace.
       */
      bytes: z.number().int().nonnegative(),
      files: z.number().int().nonnegative(),
      /** What the layer will hold, once the changes are known: what the bar fills towards. */
      totalBytes: z.number().int().nonnegative().optional(),
      totalFiles: z.number().int().nonnegative().optional(),
    }),
    error: z.string().optional(),
    image: ImageSchema.optional(),
  })
  .meta({ id: 'ImageSave' });
export type ImageSave = z.infer<typeof ImageSaveSchema>;

export const ImageSaveParamsSchema = z.object({ id: ImageSaveIdSchema });
export const ImageSaveListResponseSchema = z.object({ saves: z.array(ImageSaveSchema) }).meta({ id: 'ImageSaveList' });

/** Hours until a share token (of an image, a dataset, a model) stops working; none: until revoked. */
export const ShareExpiresInHoursSchema = z
  .number({ error: fieldError('expiresInHours', `a number of hours from 1 to ${MAX_SHARE_HOURS}`) })
  .int()
  .min(1)
  .max(MAX_SHARE_HOURS);

/** A share token (口令) for one image: shown once, stored hashed. */
export const ImageShareBodySchema = strictObject(
  { expiresInHours: ShareExpiresInHoursSchema.optional() },
  'the share request',
);
export const ImageShareSchema = z
  .object({ token: z.string(), expiresAt: z.string().optional() })
  .meta({ id: 'ImageShare' });
export const RedeemImageBodySchema = strictObject(
  {
    token: z
      .string({ error: fieldError('token', 'the share token you were given') })
      .min(1)
      .max(200),
  },
  'the redeem request',
);
