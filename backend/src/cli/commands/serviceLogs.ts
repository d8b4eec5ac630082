import type { Command } from 'commander';
import { UsageError, type CliContext, type Connection } from '../context.js';
import { streamFeed, type LogFeed, type LogFilter } from '../follow.js';
import { formatLogLine } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect, wholeNumber } from './shared.js';

interface ServiceLogsOptions {
  replica?: number;
  version?: number;
  search?: string;
  follow?: boolean;
  timestamps?: boolean;
}

/**
 * A service version's replica logs. The `service-logs/<name>` topic follows the serving version's
 * replicas; another version's (which gets no new replicas) is followed by polling.
 */
function serviceLogFeed(conn: Connection, name: string, version: number, serving: boolean): LogFeed {
  return {
    readPage: (query) => conn.client.serviceLogs({ params: { name }, query: { ...query, version } }),
    ...(serving ? { topic: `service-logs/${name}` } : {}),
    changes: `services/${name}`,
    // A service's logs end only with it: this read throws (not found) once it is deleted.
    finished: async () => (await conn.client.getService({ params: { name } }), false),
  };
}

/** `aiplat service logs NAME [--replica N] [--version V] [--search TEXT] [-f]`. */
export function registerServiceLogs(service: Command, ctx: CliContext): void {
  service
    .command('logs')
    .description(m.logs.description)
    .argument('<name>', m.name)
    .option('--replica <index>', m.logs.replica, wholeNumber(0, 1000, m.logs.badReplica))
    .option('--version <n>', m.logs.version, wholeNumber(1, 1_000_000, m.logs.badVersion))
    .option('--search <text>', m.logs.search)
    .option('-f, --follow', m.logs.follow)
    .option('--timestamps', m.logs.timestamps)
    .action(async (name: string, options: ServiceLogsOptions, command: Command) => {
      const conn = connect(ctx, command);
      const found = await conn.client.getService({ params: { name } });
      const version = options.version ?? found.version;
      const replicas = found.versions.find((v) => v.version === version)?.spec.replicas;
      if (replicas === undefined)
        throw new UsageError(
          m.logs.noVersion(
            name,
            version,
            found.versions.map((v) => v.version),
          ),
        );
      const several = options.replica === undefined && replicas > 1;
      const format = {
        ...(several ? { prefixes: new Map(Array.from({ length: replicas }, (_, i) => [i, `replica-${i}`])) } : {}),
        timestamps: options.timestamps === true,
      };
      const filter: LogFilter = {
        ...(options.replica !== undefined ? { instance: options.replica } : {}),
        ...(options.search !== undefined ? { search: options.search } : {}),
      };
      const feed = serviceLogFeed(conn, name, version, version === found.version);
      await streamFeed(conn, ctx, feed, filter, options.follow === true, (lines) =>
        ctx.out(lines.map((line) => formatLogLine(line, format)).join('')),
      );
    });
}
