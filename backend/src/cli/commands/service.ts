import type { Command } from 'commander';
import {
  appKeySignature,
  parseServiceVersionYaml,
  parseServiceYaml,
  signedCurlCommand,
  type ErrorIssue,
  type Service,
} from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { age, formatLogLine, table, toJson } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect, outputOption, wholeNumber } from './shared.js';

function fileErrors(file: string, errors: readonly ErrorIssue[]): never {
  throw new UsageError(m.badFile(file, errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')));
}

function servicesTable(services: readonly Service[], now: Date): string {
  const h = m.header;
  return table(
    [h.name, h.state, h.version, h.ready, h.url, h.age],
    services.map((s) => [
      s.name,
      s.failure ? `${s.state} (${s.failure.message})` : s.state,
      `v${s.version}`,
      `${s.replicas.filter((r) => r.state === 'Ready').length}/${s.versions.find((v) => v.version === s.version)?.spec.replicas ?? 0}`,
      s.url,
      age(s.createdAt, now),
    ]),
  );
}

/** `aiplat service ...` and `aiplat appkey ...`. */
export function registerServices(program: Command, ctx: CliContext): void {
  const service = program.command('service').alias('svc').description(m.description).addHelpText('after', m.after);

  service
    .command('deploy')
    .description(m.deploy.description)
    .requiredOption('-f, --file <service.yaml>', m.deploy.file)
    .option('--dry-run', m.deploy.dryRun)
    .action(async (options: { file: string; dryRun?: boolean }, command: Command) => {
      const parsed = parseServiceYaml(await ctx.readJobFile(options.file));
      if ('errors' in parsed) fileErrors(options.file, parsed.errors);
      const { client } = connect(ctx, command);
      if (options.dryRun) {
        const { objects } = await client.serviceDryRun({ body: { spec: parsed.spec } });
        ctx.out(toJson(objects));
        return;
      }
      const deployed = await client.deployService({ body: { spec: parsed.spec } });
      ctx.out(`${m.deploy.done(deployed.name, deployed.state, deployed.url)}\n`);
    });

  service
    .command('list')
    .alias('ls')
    .description(m.list)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { services } = await connect(ctx, command).client.listServices();
      if (options.output === 'json') ctx.out(toJson(services));
      else ctx.out(services.length === 0 ? `${m.empty}\n` : servicesTable(services, ctx.now()));
    });

  service
    .command('get')
    .description(m.get)
    .argument('<name>', m.name)
    .addOption(outputOption(['json']))
    .action(async (name: string, options: { output?: 'json' }, command: Command) => {
      const found = await connect(ctx, command).client.getService({ params: { name } });
      if (options.output === 'json') return ctx.out(toJson(found));
      ctx.out(servicesTable([found], ctx.now()));
      const h = m.header;
      ctx.out(
        table(
          [h.version, h.replica, h.state, h.restarts, h.message],
          found.replicas.map((r) => [`v${r.version}`, String(r.index), r.state, String(r.restarts), r.message ?? '']),
        ),
      );
    });

  service
    .command('update')
    .description(m.update.description)
    .argument('<name>', m.name)
    .option('-f, --file <version.yaml>', m.update.file)
    .option('--replicas <n>', m.update.replicas, wholeNumber(1, 16, m.update.badReplicas))
    .action(async (name: string, options: { file?: string; replicas?: number }, command: Command) => {
      if (!options.file && options.replicas === undefined) throw new UsageError(m.update.nothing);
      let version;
      if (options.file) {
        const parsed = parseServiceVersionYaml(await ctx.readJobFile(options.file));
        if ('errors' in parsed) fileErrors(options.file, parsed.errors);
        version = parsed.spec;
      }
      const updated = await connect(ctx, command).client.updateService({
        params: { name },
        body: {
          ...(version ? { version } : {}),
          ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
        },
      });
      ctx.out(`${updated.name}: ${updated.state}\n`);
    });

  for (const action of ['start', 'restart', 'delete'] as const) {
    service
      .command(action)
      .description(m.actions[action])
      .argument('<name>', m.name)
      .action(async (name: string, _options: unknown, command: Command) => {
        const { client } = connect(ctx, command);
        if (action === 'delete') {
          await client.deleteService({ params: { name } });
          ctx.out(`${m.deleted(name)}\n`);
          return;
        }
        const done =
          action === 'start'
            ? await client.startService({ params: { name } })
            : await client.restartService({ params: { name } });
        ctx.out(`${done.name}: ${done.state}\n`);
      });
  }
  service
    .command('stop')
    .description(m.actions.stop)
    .argument('<name>', m.name)
    .option('--force', m.force)
    .action(async (name: string, options: { force?: boolean }, command: Command) => {
      const stopped = await connect(ctx, command).client.stopService({
        params: { name },
        body: { force: options.force === true },
      });
      ctx.out(`${stopped.name}: ${stopped.state}\n`);
    });

  service
    .command('events')
    .description(m.events)
    .argument('<name>', m.name)
    .action(async (name: string, _options: unknown, command: Command) => {
      const { events } = await connect(ctx, command).client.serviceEvents({ params: { name } });
      ctx.out(
        table(
          [m.header.time, m.header.type, m.header.message],
          events.map((e) => [e.time, e.type, e.message]),
        ),
      );
    });

  service
    .command('logs')
    .description(m.logs.description)
    .argument('<name>', m.name)
    .option('--replica <index>', m.logs.replica, wholeNumber(0, 1000, m.logs.badReplica))
    .option('--version <n>', m.logs.version, wholeNumber(1, 1_000_000, m.logs.badVersion))
    .option('--search <text>', m.logs.search)
    .option('-f, --follow', m.logs.follow)
    .action(
      async (
        name: string,
        options: { replica?: number; version?: number; search?: string; follow?: boolean },
        command: Command,
      ) => {
        const { client } = connect(ctx, command);
        let cursor: string | undefined;
        for (;;) {
          const page = await client.serviceLogs({
            params: { name },
            query: {
              ...(options.replica !== undefined ? { instance: options.replica } : {}),
              ...(options.version !== undefined ? { version: options.version } : {}),
              ...(options.search ? { search: options.search } : {}),
              ...(cursor ? { cursor } : {}),
              limit: 1000,
            },
          });
          cursor = page.nextCursor;
          const prefixes = options.replica === undefined ? new Map<number, string>() : undefined;
          ctx.out(
            page.lines
              .map((line) =>
                formatLogLine(line, {
                  ...(prefixes ? { prefixes: withReplica(prefixes, line.instance) } : {}),
                  timestamps: false,
                }),
              )
              .join(''),
          );
          if (page.more) continue;
          if (!options.follow) return;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      },
    );

  service
    .command('metrics')
    .description(m.metrics)
    .argument('<name>', m.name)
    .option('--step <seconds>', m.step, wholeNumber(10, 3600, m.badStep), 60)
    .action(async (name: string, options: { step: number }, command: Command) => {
      const { points } = await connect(ctx, command).client.serviceMetrics({
        params: { name },
        query: { step: options.step },
      });
      const h = m.header;
      const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);
      ctx.out(
        table(
          [h.time, h.requests, h.errors, h.throttled, 'p50', 'p99', h.tokens],
          points.map((p) => [
            p.time,
            String(p.requests),
            `${p.status4xx}/${p.status5xx}`,
            String(p.throttled),
            ms(p.latencyP50Ms),
            ms(p.latencyP99Ms),
            String(p.tokens),
          ]),
        ),
      );
    });

  const token = service.command('token').description(m.token.description);
  token
    .command('create')
    .argument('<service>', m.name)
    .option('--per-minute <tokens>', m.token.perMinute, wholeNumber(1, 1e12, m.token.badLimit))
    .option('--per-day <tokens>', m.token.perDay, wholeNumber(1, 1e12, m.token.badLimit))
    .action(async (name: string, options: { perMinute?: number; perDay?: number }, command: Command) => {
      const created = await connect(ctx, command).client.createServiceToken({
        params: { name },
        body: {
          ...(options.perMinute ? { tokensPerMinute: options.perMinute } : {}),
          ...(options.perDay ? { tokensPerDay: options.perDay } : {}),
        },
      });
      ctx.out(`${created.token}\n`);
      ctx.info(m.token.once(created.id));
    });
  token
    .command('list')
    .argument('<service>', m.name)
    .action(async (name: string, _options: unknown, command: Command) => {
      const { tokens } = await connect(ctx, command).client.listServiceTokens({ params: { name } });
      const h = m.header;
      ctx.out(
        table(
          [h.id, h.prefix, h.enabled, h.today, h.limits],
          tokens.map((t) => [
            t.id,
            `${t.prefix}…`,
            t.enabled ? 'yes' : 'no',
            String(t.usedToday),
            `${t.tokensPerMinute ?? '-'}/min ${t.tokensPerDay ?? '-'}/day`,
          ]),
        ),
      );
    });
  for (const action of ['enable', 'disable', 'delete'] as const) {
    token
      .command(action)
      .argument('<service>', m.name)
      .argument('<id>', m.token.id)
      .action(async (name: string, id: string, _options: unknown, command: Command) => {
        const { client } = connect(ctx, command);
        if (action === 'delete') await client.deleteServiceToken({ params: { name, id } });
        else await client.updateServiceToken({ params: { name, id }, body: { enabled: action === 'enable' } });
        ctx.out(`${id}: ${action}d\n`);
      });
  }

  service
    .command('curl')
    .description(m.curl.description)
    .argument('<name>', m.name)
    .requiredOption('--appkey <AppKey>', m.curl.appKey)
    .requiredOption('--secret-env <VAR>', m.curl.secretEnv)
    .option('--path <path>', m.curl.path, '/')
    .option('--data <json>', m.curl.data)
    .action(
      async (
        name: string,
        options: { appkey: string; secretEnv: string; path: string; data?: string },
        command: Command,
      ) => {
        const secret = ctx.deps.env[options.secretEnv];
        if (!secret) throw new UsageError(m.curl.noSecret(options.secretEnv));
        const { baseUrl } = connect(ctx, command);
        const timestamp = String(ctx.now().getTime());
        const sign = await appKeySignature(options.appkey, secret, timestamp);
        const url = new URL(
          `/services/${name}${options.path.startsWith('/') ? '' : '/'}${options.path}`,
          baseUrl,
        ).toString();
        ctx.out(
          `${signedCurlCommand({ url, appKey: options.appkey, timestamp, sign, ...(options.data !== undefined ? { body: options.data } : {}) })}\n`,
        );
        ctx.info(m.curl.window);
      },
    );

  const appkey = program.command('appkey').description(m.appkey.description);
  appkey
    .command('create')
    .option('--service <name...>', m.appkey.services)
    .option('--description <text>', m.appkey.describe)
    .action(async (options: { service?: string[]; description?: string }, command: Command) => {
      const created = await connect(ctx, command).client.createAppKey({
        body: { services: options.service ?? [], ...(options.description ? { description: options.description } : {}) },
      });
      ctx.out(`AppKey: ${created.appKey}\nAppSecret: ${created.appSecret}\n`);
      ctx.info(m.appkey.once);
    });
  appkey.command('list').action(async (_options: unknown, command: Command) => {
    const { appKeys } = await connect(ctx, command).client.listAppKeys();
    const h = m.header;
    ctx.out(
      table(
        [h.appKey, h.enabled, h.services, h.age],
        appKeys.map((k) => [k.appKey, k.enabled ? 'yes' : 'no', k.services.join(','), age(k.createdAt, ctx.now())]),
      ),
    );
  });
  for (const action of ['enable', 'disable', 'delete'] as const) {
    appkey
      .command(action)
      .argument('<AppKey>', m.appkey.key)
      .action(async (key: string, _options: unknown, command: Command) => {
        const { client } = connect(ctx, command);
        if (action === 'delete') await client.deleteAppKey({ params: { appKey: key } });
        else await client.updateAppKey({ params: { appKey: key }, body: { enabled: action === 'enable' } });
        ctx.out(`${key}: ${action}d\n`);
      });
  }
}

function withReplica(prefixes: Map<number, string>, index: number): Map<number, string> {
  if (!prefixes.has(index)) prefixes.set(index, `replica-${index}`);
  return prefixes;
}
