import type { Command } from 'commander';
import { appKeySignature, signedCurlCommand } from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect } from './shared.js';

interface CurlOptions {
  appkey: string;
  secretEnv: string;
  path: string;
  data?: string;
}

/**
 * `aiplat service curl NAME --appkey AK --secret-env VAR`: a ready-to-paste curl call signed with
 * the AppKey. The AppSecret comes from an environment variable, never a flag, so it stays out of
 * the shell's history and the process list; only its signature is printed.
 */
export function registerServiceCurl(service: Command, ctx: CliContext): void {
  service
    .command('curl')
    .description(m.curl.description)
    .argument('<name>', m.name)
    .requiredOption('--appkey <AppKey>', m.curl.appKey)
    .requiredOption('--secret-env <VAR>', m.curl.secretEnv)
    .option('--path <path>', m.curl.path, '/')
    .option('--data <json>', m.curl.data)
    .action(async (name: string, options: CurlOptions, command: Command) => {
      const secret = ctx.deps.env[options.secretEnv];
      if (!secret) throw new UsageError(m.curl.noSecret(options.secretEnv));
      const { baseUrl } = connect(ctx, command);
      const timestamp = String(ctx.now().getTime());
      const sign = await appKeySignature(options.appkey, secret, timestamp);
      const path = options.path.startsWith('/') ? options.path : `/${options.path}`;
      const url = new URL(`/services/${name}${path}`, baseUrl).toString();
      const body = options.data !== undefined ? { body: options.data } : {};
      ctx.out(`${signedCurlCommand({ url, appKey: options.appkey, timestamp, sign, ...body })}\n`);
      ctx.info(m.curl.window);
    });
}
