import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_JOB_LIST_LIMIT, JOB_STATES, MAX_JOB_LIST_LIMIT, type Job, type JobState } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { jobsTable, toJson, toYamlText } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption, wholeNumber } from './shared.js';

interface ListOptions {
  state?: JobState[];
  tag?: string;
  mine?: boolean;
  limit?: number;
  all?: boolean;
  output?: 'wide' | 'json' | 'yaml';
}

/** `Running,queued`: comma-separated states, any case. */
function parseStates(value: string): JobState[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const state = JOB_STATES.find((known) => known.toLowerCase() === s.toLowerCase());
      if (!state) throw new InvalidArgumentError(messages.list.badState(s, JOB_STATES));
      return state;
    });
}

export function registerList(program: Command, ctx: CliContext): void {
  const m = messages.list;
  program
    .command('list')
    .alias('ls')
    .description(m.description)
    .option('--state <states>', m.state, parseStates)
    .option('--tag <key=value>', m.tag)
    .option('--mine', m.mine)
    .option('--limit <n>', m.limit, wholeNumber(1, MAX_JOB_LIST_LIMIT, m.badLimit))
    .option('--all', m.all)
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .addHelpText('after', m.after)
    .action(async (options: ListOptions, command: Command) => {
      const { client } = connect(ctx, command);
      const query = {
        ...(options.state ? { state: options.state } : {}),
        ...(options.tag !== undefined ? { tag: options.tag } : {}),
        mine: options.mine === true,
        limit: options.all ? MAX_JOB_LIST_LIMIT : (options.limit ?? DEFAULT_JOB_LIST_LIMIT),
      };
      const jobs: Job[] = [];
      let cursor: string | undefined;
      let more = false;
      for (;;) {
        const page = await client.listJobs({ query: { ...query, ...(cursor !== undefined ? { cursor } : {}) } });
        jobs.push(...page.jobs);
        cursor = page.nextCursor;
        more = cursor !== undefined;
        if (!options.all || !more) break;
      }
      switch (options.output) {
        case 'json':
          ctx.out(toJson(jobs));
          return;
        case 'yaml':
          ctx.out(toYamlText(jobs));
          return;
        case 'wide':
        case undefined:
          if (jobs.length === 0) ctx.info(m.none);
          else ctx.out(jobsTable(jobs, ctx.now(), options.output === 'wide'));
          if (more) ctx.info(m.more(jobs.length));
      }
    });
}
