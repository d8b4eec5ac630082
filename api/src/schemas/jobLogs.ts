import { z } from 'zod';

export const LogStreamSchema = z.enum(['stdout', 'stderr', 'platform']);
export type LogStream = z.infer<typeof LogStreamSchema>;

export const LogLineSchema = z
  .object({
    /** ISO 8601 time the line was read. */
    time: z.string(),
    instance: z.number().int().nonnegative(),
    /** `platform` lines are the platform's own (start, exit, restart), kept apart from the program's. */
    stream: LogStreamSchema,
    text: z.string(),
    /** Position in its instance's log, from 0; with `instance` it names the line. */
    seq: z.number().int().nonnegative(),
  })
  .meta({ id: 'LogLine' });
export type LogLine = z.infer<typeof LogLineSchema>;
