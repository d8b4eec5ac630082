import { z } from 'zod';
import { fieldError, strictObject } from './fieldErrors.js';
import { commonFields } from './jobSpecFields.js';

/*
 * Lifecycle configs (TI-ONE's 生命周期配置, SageMaker's lifecycle configurations): scripts a dev
 * machine runs before its IDEs start. An object of its own, named by dev machines; each script
 * travels base64-encoded, as TI-ONE and SageMaker take them, so any bytes survive JSON and YAML.
 */

/** The most characters a script may take, base64-encoded (TI-ONE's and SageMaker's limit). */
export const LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS = 16_384;
/** The longest a script may run before the start fails. */
export const LIFECYCLE_SCRIPT_TIMEOUT_SECONDS = 300;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const LIFECYCLE_SCRIPT_FIELDS = ['onCreate', 'onStart'] as const;
export type LifecycleScriptField = (typeof LIFECYCLE_SCRIPT_FIELDS)[number];

function scriptSchema(field: LifecycleScriptField, when: string) {
  return z
    .string({ error: fieldError(field, 'a shell script, base64-encoded (base64 -w0 script.sh)') })
    .max(LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS, {
      error: (iss) =>
        `${field} is ${String((iss.input as string).length)} characters base64-encoded; the limit is ${LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS} (about 12 KiB of script): move the rest into a file under /work and run that`,
    })
    .regex(BASE64, `${field} is not base64: send the script encoded, e.g. the output of base64 -w0 script.sh`)
    .meta({ description: `Shell script run ${when}, before the IDEs, base64-encoded (at most 16384 characters)` });
}

export const LifecycleConfigSpecSchema = strictObject(
  {
    name: commonFields.name,
    description: commonFields.description,
    onCreate: scriptSchema('onCreate', "at a dev machine's first start only").optional(),
    onStart: scriptSchema('onStart', 'at every start').optional(),
  },
  'a lifecycle config',
).meta({ id: 'LifecycleConfigSpec' });
export type LifecycleConfigSpec = z.infer<typeof LifecycleConfigSpecSchema>;

export const LifecycleConfigIdSchema = z
  .string()
  .regex(/^lc-[a-z0-9]{6,32}$/, 'lifecycle config id looks like lc-1a2b3c4d');

export const LifecycleConfigSchema = z
  .object({
    id: LifecycleConfigIdSchema,
    owner: z.string(),
    spec: LifecycleConfigSpecSchema,
    /** ISO 8601. */
    createdAt: z.string(),
    updatedAt: z.string(),
    /** The names of the owner's dev machines that run it. */
    usedBy: z.array(z.string()),
  })
  .meta({ id: 'LifecycleConfig' });
export type LifecycleConfig = z.infer<typeof LifecycleConfigSchema>;

export const LifecycleConfigIdParamsSchema = z.object({ id: LifecycleConfigIdSchema });
export const LifecycleConfigBodySchema = z.object({ spec: LifecycleConfigSpecSchema });
export const LifecycleConfigListResponseSchema = z
  .object({ lifecycleConfigs: z.array(LifecycleConfigSchema) })
  .meta({ id: 'LifecycleConfigList' });
export const DeleteLifecycleConfigResponseSchema = z.object({ deleted: LifecycleConfigIdSchema });

/** A script's text from its base64 form (UTF-8; any bytes are kept as the shell will read them). */
export function decodeLifecycleScript(encoded: string): string {
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** A script's base64 form, as the API takes it (what `base64 -w0` prints). */
export function encodeLifecycleScript(script: string): string {
  const bytes = new TextEncoder().encode(script);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
