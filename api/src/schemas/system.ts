import { z } from 'zod';

export const HealthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });
export type Health = z.infer<typeof HealthSchema>;

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() })),
  })
  .meta({ id: 'Readiness' });
export type Readiness = z.infer<typeof ReadinessSchema>;

export const EngineKindSchema = z.enum(['local', 'kubernetes']);
export type EngineKind = z.infer<typeof EngineKindSchema>;

export const RootNameSchema = z.enum(['home', 'cache', 'mount']);
export type RootName = z.infer<typeof RootNameSchema>;

export const RootInfoSchema = z.object({
  name: RootNameSchema,
  /** Where the root appears for the user, e.g. `/work/home`. */
  displayPath: z.string(),
  writable: z.boolean(),
});
export type RootInfo = z.infer<typeof RootInfoSchema>;

export const ContainerRuntimeKindSchema = z.enum(['podman', 'docker', 'none']);
export type ContainerRuntimeKind = z.infer<typeof ContainerRuntimeKindSchema>;

/**
 * The container runtime of the local engine (which every backend has, whatever its default
 * engine): Podman or Docker through their API, or none (dev machines then run as processes).
 */
export const ContainerRuntimeInfoSchema = z
  .object({
    kind: ContainerRuntimeKindSchema,
    /** The runtime's own version, e.g. Podman's `4.3.1`. */
    version: z.string().optional(),
    /** With `none`: what is missing and what to do. */
    reason: z.string().optional(),
  })
  .meta({ id: 'ContainerRuntimeInfo' });
export type ContainerRuntimeInfo = z.infer<typeof ContainerRuntimeInfoSchema>;

export const ServerInfoSchema = z
  .object({
    apiVersion: z.string(),
    serverVersion: z.string(),
    user: z.string(),
    engine: EngineKindSchema,
    roots: z.array(RootInfoSchema),
    limits: z.object({ maxUploadBytes: z.number().int() }),
    containerRuntime: ContainerRuntimeInfoSchema,
  })
  .meta({ id: 'ServerInfo' });
export type ServerInfo = z.infer<typeof ServerInfoSchema>;

export const OpenApiDocumentSchema = z.record(z.string(), z.unknown());
