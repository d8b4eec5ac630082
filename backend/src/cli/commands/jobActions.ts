import type { Command } from 'commander';
import { jobSpecToYaml } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { messages } from '../messages.js';
import { connect } from './shared.js';

/** The one-call commands: stop, delete, start-again, copy. */
export function registerJobActions(program: Command, ctx: CliContext): void {
  const job = messages.logs.job;

  program
    .command('stop')
    .description(messages.stop.description)
    .argument('<job>', job)
    .option('--force', messages.stop.force)
    .addHelpText('after', messages.stop.after)
    .action(async (id: string, options: { force?: boolean }, command: Command) => {
      const { client } = connect(ctx, command);
      const stopped = await client.stopJob({ params: { id }, body: { force: options.force === true } });
      ctx.out(`${messages.stop.done(stopped.id, stopped.state)}\n`);
    });

  program
    .command('delete')
    .alias('rm')
    .description(messages.delete.description)
    .argument('<job>', job)
    .addHelpText('after', messages.delete.after)
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { deleted } = await client.deleteJob({ params: { id } });
      ctx.out(`${messages.delete.done(deleted)}\n`);
    });

  program
    .command('start-again')
    .description(messages.startAgain.description)
    .argument('<job>', job)
    .addHelpText('after', messages.startAgain.after)
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const started = await client.startJobAgain({ params: { id }, body: {} });
      ctx.out(`${messages.startAgain.done(started.id, started.state)}\n`);
    });

  program
    .command('copy')
    .description(messages.copy.description)
    .argument('<job>', job)
    .addHelpText('after', messages.copy.after)
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { spec } = await client.copyJob({ params: { id } });
      ctx.out(jobSpecToYaml(spec));
    });
}
