import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlatform, type Platform } from '@aiplat/backend/composition.js';
import { ConfigSchema } from '@aiplat/backend/config.js';

export const BENCH_USER = 'bench';
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';
const SHIM = fileURLToPath(import.meta.resolve('@aiplat/backend/engines/local/supervisor/logShim.js'));

/** A real platform (local engine) over `<base>/work` and `<base>/data`, one user, quiet; not listening yet. */
export function createBenchPlatform(base: string): Promise<Platform> {
  const config = ConfigSchema.parse({
    port: 0,
    workRoot: path.join(base, 'work'),
    dataDir: path.join(base, 'data'),
    users: [{ name: BENCH_USER, token: BENCH_TOKEN }],
    logLevel: 'silent',
    seedExamples: false,
    shutdownGraceMs: 2000,
  });
  return createPlatform(config, { processMetrics: false, shimPath: SHIM });
}
