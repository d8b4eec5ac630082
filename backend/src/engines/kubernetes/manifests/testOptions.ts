import type { ManifestOptions } from './common.js';

/** Manifest options for tests: the user's own namespace and home claim, the shared cache and mount claims. */
export function testOptions(user: string, jobId: string): ManifestOptions {
  return {
    jobId,
    user,
    namespace: `aiplat-${user}`,
    claims: { home: `home-${user}`, cache: 'work-cache', mount: 'work-mount' },
  };
}
