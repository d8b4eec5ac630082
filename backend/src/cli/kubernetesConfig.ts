import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, UserNameSchema } from '../config.js';
import type { KubernetesConfig } from '../engines/kubernetes/config.js';
import { UsageError, type CliContext } from './context.js';
import { messages } from './messages.js';

/*
 * What the CLI's cluster-free commands (`submit --dry-run`, `kubernetes setup`) read instead of
 * asking a server: the backend's config file and the user the manifests are for.
 */

/**
 * The `kubernetes` section of the backend config in `file` (or AIPLAT_CONFIG, as the backend reads
 * it); its defaults when there is neither.
 */
export function readKubernetesConfig(ctx: CliContext, file: string | undefined): KubernetesConfig {
  const chosen = file ?? ctx.deps.env.AIPLAT_CONFIG;
  const cwd = ctx.deps.cwd ?? process.cwd();
  if (chosen) {
    try {
      readFileSync(path.resolve(cwd, chosen));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
      throw new UsageError(messages.kubernetes.cannotReadConfig(chosen, reason));
    }
  }
  try {
    return loadConfig(chosen ? { AIPLAT_CONFIG: path.resolve(cwd, chosen) } : {}, cwd).kubernetes;
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(messages.kubernetes.badConfig(chosen ?? '', error.message));
    throw error;
  }
}

/**
 * `--user`, else the login name in $USER made into a platform user name (lowercase, `_` for other
 * characters), else `dev`.
 */
export function cliUser(ctx: CliContext, user: string | undefined): string {
  if (user !== undefined) {
    const checked = UserNameSchema.safeParse(user);
    if (!checked.success) throw new UsageError(messages.kubernetes.badUser(user));
    return user;
  }
  const login = (ctx.deps.env.USER ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .replace(/^[^a-z_]+/, '')
    .slice(0, 32);
  return UserNameSchema.safeParse(login).success ? login : 'dev';
}
