import type { Command } from 'commander';
import type { JobEvent } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { eventsTable, toJson, toYamlText } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption } from './shared.js';

export function registerEvents(program: Command, ctx: CliContext): void {
  const m = messages.events;
  program
    .command('events')
    .description(m.description)
    .argument('<job>', messages.logs.job)
    .addOption(outputOption(['json', 'yaml']))
    .addHelpText('after', m.after)
    .action(async (id: string, options: { output?: 'json' | 'yaml' }, command: Command) => {
      const { client } = connect(ctx, command);
      const events: JobEvent[] = [];
      for (;;) {
        const page = await client.jobEvents({ params: { id }, query: { after: events.length, limit: 1000 } });
        events.push(...page.events);
        if (page.events.length === 0 || events.length >= page.total) break;
      }
      if (options.output === 'json') ctx.out(toJson(events));
      else if (options.output === 'yaml') ctx.out(toYamlText(events));
      else ctx.out(eventsTable(events));
    });
}
