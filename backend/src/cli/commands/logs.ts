import { InvalidArgumentError, type Command } from 'commander';
import { JOB_LIMITS, LogStreamSchema, type LogStream } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { formatLogLine } from '../format.js';
import { streamLogs, type LogFilter } from '../follow.js';
import { messages } from '../messages.js';
import { connect, listOf, wholeNumber } from './shared.js';

interface LogsOptions {
  follow?: boolean;
  instance?: number;
  since?: string;
  search?: string;
  stream?: LogStream[];
  timestamps?: boolean;
}

const AGE_UNITS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO 8601 time, or an age before `now` (`30s`, `10m`, `2h`, `1d`), as an ISO 8601 time. */
export function parseSince(value: string, now: Date): string {
  const age = /^(\d+)([smhd])$/.exec(value.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * (AGE_UNITS[age[2] ?? 's'] ?? 1000)).toISOString();
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim());
  const time = Date.parse(value);
  if (!iso || Number.isNaN(time)) throw new InvalidArgumentError(messages.logs.badSince(value));
  return new Date(time).toISOString();
}

export function registerLogs(program: Command, ctx: CliContext): void {
  const m = messages.logs;
  program
    .command('logs')
    .description(m.description)
    .argument('<job>', m.job)
    .option('-f, --follow', m.follow)
    .option('--instance <index>', m.instance, wholeNumber(0, JOB_LIMITS.instances - 1, m.badInstance))
    .option('--since <time>', m.since, (value: string) => parseSince(value, ctx.now()))
    .option('--search <text>', m.search)
    .option('--stream <streams>', m.stream, listOf(LogStreamSchema.options, m.badStream))
    .option('--timestamps', m.timestamps)
    .addHelpText('after', m.after)
    .action(async (id: string, options: LogsOptions, command: Command) => {
      const conn = connect(ctx, command);
      const job = await conn.client.getJob({ params: { id } });
      const several = options.instance === undefined && job.instances.length > 1;
      const format = {
        ...(several ? { prefixes: new Map(job.instances.map((i) => [i.index, i.name])) } : {}),
        timestamps: options.timestamps === true,
      };
      const filter: LogFilter = {
        ...(options.instance !== undefined ? { instance: options.instance } : {}),
        ...(options.since !== undefined ? { since: options.since } : {}),
        ...(options.search !== undefined ? { search: options.search } : {}),
        ...(options.stream !== undefined ? { stream: options.stream } : {}),
      };
      await streamLogs(conn, ctx, job.id, filter, options.follow === true, (lines) =>
        ctx.out(lines.map((line) => formatLogLine(line, format)).join('')),
      );
    });
}
