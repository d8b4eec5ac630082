import { z } from 'zod';
import { fieldError, strictObject } from './fieldErrors.js';
import { ServiceNameSchema } from './services.js';

/*
 * Who may call a service. 慧聚: AppKey/AppSecret pairs owned by a user and bound to services; each
 * call signs AppKey + AppSecret + Timestamp (HMAC-SHA1). TI-ONE: bearer tokens of one service, each
 * with its own limits of LLM tokens per minute and per day.
 */

export const AppKeyIdSchema = z.string().regex(/^ak-[a-f0-9]{16}$/, 'an AppKey looks like ak-0123456789abcdef');

const DescriptionSchema = z
  .string({ error: fieldError('description', 'text') })
  .max(200, 'description is longer than 200 characters');

export const AppKeySchema = z
  .object({
    appKey: AppKeyIdSchema,
    owner: z.string(),
    description: z.string().optional(),
    /** The services it may call (the owner's). */
    services: z.array(ServiceNameSchema),
    enabled: z.boolean(),
    createdAt: z.string(),
    lastUsedAt: z.string().optional(),
  })
  .meta({ id: 'AppKey' });
export type AppKey = z.infer<typeof AppKeySchema>;

export const CreateAppKeyBodySchema = strictObject(
  {
    description: DescriptionSchema.optional(),
    services: z.array(ServiceNameSchema).max(100).default([]),
  },
  'an AppKey',
);

/** The created key with its secret: shown once, kept by the server only encrypted. */
export const CreatedAppKeySchema = AppKeySchema.extend({ appSecret: z.string() }).meta({ id: 'CreatedAppKey' });
export type CreatedAppKey = z.infer<typeof CreatedAppKeySchema>;

export const UpdateAppKeyBodySchema = strictObject(
  {
    enabled: z.boolean().optional(),
    services: z.array(ServiceNameSchema).max(100).optional(),
    description: DescriptionSchema.optional(),
  },
  'an AppKey update',
);

export const AppKeyParamsSchema = z.object({ appKey: AppKeyIdSchema });
export const AppKeyListResponseSchema = z.object({ appKeys: z.array(AppKeySchema) }).meta({ id: 'AppKeyList' });
export const DeleteAppKeyResponseSchema = z.object({ deleted: AppKeyIdSchema });

export const ServiceTokenIdSchema = z.string().regex(/^tk-[a-f0-9]{12}$/, 'a token id looks like tk-0123456789ab');

const TokenLimitSchema = (field: string) =>
  z
    .number({ error: fieldError(field, 'a whole number of LLM tokens') })
    .int({ error: fieldError(field, 'a whole number of LLM tokens') })
    .positive({ error: fieldError(field, 'a whole number of LLM tokens greater than 0') })
    .max(1e12);

export const ServiceTokenSchema = z
  .object({
    id: ServiceTokenIdSchema,
    service: ServiceNameSchema,
    description: z.string().optional(),
    enabled: z.boolean(),
    /** LLM tokens (prompt + completion, from the responses' `usage`) allowed per minute / per day. */
    tokensPerMinute: z.number().int().positive().optional(),
    tokensPerDay: z.number().int().positive().optional(),
    /** Spent in the current minute and day (UTC). */
    usedThisMinute: z.number().int().nonnegative(),
    usedToday: z.number().int().nonnegative(),
    /** The first characters of the token, to tell tokens apart. */
    prefix: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'ServiceToken' });
export type ServiceToken = z.infer<typeof ServiceTokenSchema>;

export const CreateServiceTokenBodySchema = strictObject(
  {
    description: DescriptionSchema.optional(),
    tokensPerMinute: TokenLimitSchema('tokensPerMinute').optional(),
    tokensPerDay: TokenLimitSchema('tokensPerDay').optional(),
  },
  'a token',
);

export const CreatedServiceTokenSchema = ServiceTokenSchema.extend({ token: z.string() }).meta({
  id: 'CreatedServiceToken',
});
export type CreatedServiceToken = z.infer<typeof CreatedServiceTokenSchema>;

export const UpdateServiceTokenBodySchema = strictObject(
  {
    enabled: z.boolean().optional(),
    description: DescriptionSchema.optional(),
    /** null removes the limit. */
    tokensPerMinute: TokenLimitSchema('tokensPerMinute').nullable().optional(),
    tokensPerDay: TokenLimitSchema('tokensPerDay').nullable().optional(),
  },
  'a token update',
);

export const ServiceTokenParamsSchema = z.object({ name: ServiceNameSchema, id: ServiceTokenIdSchema });
export const ServiceTokenListResponseSchema = z
  .object({ tokens: z.array(ServiceTokenSchema) })
  .meta({ id: 'ServiceTokenList' });
export const DeleteServiceTokenResponseSchema = z.object({ deleted: ServiceTokenIdSchema });

/** Why the gateway refused a call (401 `reason` in the JSON body). */
export const GATEWAY_AUTH_REASONS = [
  'missing_credentials',
  'unknown_app_key',
  'app_key_disabled',
  'app_key_not_bound',
  'bad_timestamp',
  'stale_timestamp',
  'bad_signature',
  'replayed_signature',
  'unknown_token',
  'token_disabled',
] as const;
export type GatewayAuthReason = (typeof GATEWAY_AUTH_REASONS)[number];

/**
 * The 慧聚 signature message: AppKey + AppSecret + Timestamp (Unix epoch milliseconds), UTF-8.
 * `Sign` is the lowercase hex HMAC-SHA1 of it keyed with AppSecret.
 */
export function appKeySignatureMessage(appKey: string, appSecret: string, timestamp: string): string {
  return `${appKey}${appSecret}${timestamp}`;
}

/** The `Sign` header, with WebCrypto (browsers, VS Code webviews, Node). */
export async function appKeySignature(appKey: string, appSecret: string, timestamp: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(appSecret),
    { name: 'HMAC', hash: 'SHA-1' },
    false,
    ['sign'],
  );
  const mac = await globalThis.crypto.subtle.sign(
    'HMAC',
    key,
    encoder.encode(appKeySignatureMessage(appKey, appSecret, timestamp)),
  );
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A ready-to-paste curl call of a service with the 慧聚 headers (the signature computed for `timestamp`). */
export function signedCurlCommand(options: {
  url: string;
  appKey: string;
  timestamp: string;
  sign: string;
  body?: string;
}): string {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const parts = [
    'curl',
    quote(options.url),
    '-H',
    quote(`AppKey: ${options.appKey}`),
    '-H',
    quote(`Timestamp: ${options.timestamp}`),
    '-H',
    quote(`Sign: ${options.sign}`),
  ];
  if (options.body !== undefined) parts.push('-H', quote('Content-Type: application/json'), '-d', quote(options.body));
  return parts.join(' ');
}
