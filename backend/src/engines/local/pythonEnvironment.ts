import path from 'node:path';

/** The variables that put a Python environment (a virtualenv or conda prefix) first. */
export function environmentEnv(environment: string | undefined, basePath = ''): Record<string, string> {
  if (!environment) return {};
  const bin = path.join(environment, 'bin');
  return { VIRTUAL_ENV: environment, CONDA_PREFIX: environment, PATH: basePath ? `${bin}:${basePath}` : bin };
}
