import type { TranslationBundle } from '@jupyterlab/translation';

/** The gateway's limits as the service forms type them (the body limit in MiB, the contract's in bytes). */
export const LIMIT_FIELDS = ['qpsPerReplica', 'concurrencyPerReplica', 'maxBodyMiB', 'upstreamTimeoutSeconds'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];

/** The contract's bounds (`ServiceLimitsSchema`) in the fields' units; a test holds them to the contract. */
export const LIMIT_FIELD_MAXIMUMS: Record<LimitField, number> = {
  qpsPerReplica: 100_000,
  concurrencyPerReplica: 10_000,
  maxBodyMiB: 1024,
  upstreamTimeoutSeconds: 3600,
};

export function isLimitField(field: string): field is LimitField {
  return (LIMIT_FIELDS as readonly string[]).includes(field);
}

/**
 * What a limit field takes, in its label's words and units: said instead of the contract's message,
 * which names the API's field (`maxBodyBytes`) and counts bytes.
 */
export function limitFieldProblem(field: LimitField, trans: TranslationBundle): string {
  const maximum = LIMIT_FIELD_MAXIMUMS[field];
  switch (field) {
    case 'qpsPerReplica':
      return trans.__('QPS per replica must be a number greater than 0, at most %1', maximum);
    case 'concurrencyPerReplica':
      return trans.__('Concurrent requests per replica must be a whole number from 1 to %1', maximum);
    case 'maxBodyMiB':
      return trans.__('Request body limit must be a number of MiB greater than 0 (e.g. 0.5), at most %1', maximum);
    case 'upstreamTimeoutSeconds':
      return trans.__('Upstream timeout must be a whole number of seconds from 1 to %1', maximum);
  }
}
