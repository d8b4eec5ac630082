import type { Command } from 'commander';
import { ApiError, JOB_LIMITS } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { toJson } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption, wholeNumber } from './shared.js';

interface EnvOptions {
  instance?: number;
  output?: 'json';
}

/** `NAME=value` lines, sorted by name. */
export function envLines(env: Readonly<Record<string, string>>): string {
  return Object.keys(env)
    .sort()
    .map((name) => `${name}=${env[name]}\n`)
    .join('');
}

export function registerEnv(program: Command, ctx: CliContext): void {
  const m = messages.env;
  program
    .command('env')
    .description(m.description)
    .argument('<job>', messages.logs.job)
    .option('--instance <index>', m.instance, wholeNumber(0, JOB_LIMITS.instances - 1, messages.logs.badInstance))
    .addOption(outputOption(['json']))
    .addHelpText('after', m.after)
    .action(async (id: string, options: EnvOptions, command: Command) => {
      const { client } = connect(ctx, command);
      const response = await client.jobEnv({ params: { id } });
      let instances = response.instances;
      if (options.instance !== undefined) {
        instances = instances.filter((i) => i.index === options.instance);
        if (instances.length === 0) {
          throw new ApiError('not_found', m.noInstance(options.instance, response.instances.length));
        }
      }
      if (options.output === 'json') {
        ctx.out(toJson({ instances }));
        return;
      }
      if (instances.length === 0) {
        ctx.info(m.none);
        return;
      }
      if (options.instance !== undefined) {
        ctx.out(envLines(instances[0]?.env ?? {}));
        return;
      }
      ctx.out(instances.map((i) => `${m.header(i.name, i.index)}\n${envLines(i.env)}`).join('\n'));
    });
}
