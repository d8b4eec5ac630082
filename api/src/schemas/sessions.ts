import { z } from 'zod';

/** A one-time login link for a browser: it opens a session for the caller and goes to `next`. */
export const CreateLoginLinkBodySchema = z.object({
  /** A path on this server, e.g. /devmachines/dm-1a2b3c4d/lab/ (a dev machine's `urls` entry). */
  next: z
    .string()
    .max(2048)
    .regex(/^\/(?![/\\])[^\\\s]*$/, 'next must be a path on this server, e.g. /devmachines/dm-1a2b3c4d/lab/'),
});

export const LoginLinkSchema = z
  .object({
    /** `/login?ticket=…`, relative to the server's URL; opens once, until `expiresAt`. */
    path: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'LoginLink' });
export type LoginLink = z.infer<typeof LoginLinkSchema>;
