import type { Command } from 'commander';
import { parseServiceYaml, type ErrorIssue, type Service } from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { age, table, toJson } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { registerServiceCurl } from './serviceCurl.js';
import { describeService } from './serviceDescribe.js';
import { registerServiceLogs } from './serviceLogs.js';
import { registerServiceMetrics } from './serviceMetrics.js';
import { registerServiceTokens } from './serviceTokens.js';
import { registerServiceUpdate } from './serviceUpdate.js';
import { waitForService } from './serviceWait.js';
import { connect, outputOption } from './shared.js';

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

/**
 * `aiplat service ...`: deploy from a service.yaml, list, show, update, start, stop, restart, delete
 * and events here; logs, metrics, tokens and the signed curl in their own modules.
 */
export function registerServices(program: Command, ctx: CliContext): void {
  const service = program.command('service').alias('svc').description(m.description).addHelpText('after', m.after);

  service
    .command('deploy')
    .description(m.deploy.description)
    .requiredOption('-f, --file <service.yaml>', m.deploy.file)
    .option('--dry-run', m.deploy.dryRun)
    .option('--wait', m.deploy.wait)
    .action(async (options: { file: string; dryRun?: boolean; wait?: boolean }, command: Command) => {
      const parsed = parseServiceYaml(await ctx.readJobFile(options.file));
      if ('errors' in parsed) fileErrors(options.file, parsed.errors);
      const conn = connect(ctx, command);
      const { client } = conn;
      if (options.dryRun) {
        const { objects } = await client.serviceDryRun({ body: { spec: parsed.spec } });
        ctx.out(toJson(objects));
        return;
      }
      const deployed = await client.deployService({ body: { spec: parsed.spec } });
      ctx.out(`${m.deploy.done(deployed.name, deployed.state, deployed.url)}\n`);
      if (options.wait) ctx.exitCode = await waitForService(ctx, conn, deployed.name);
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
      ctx.out(describeService(found, ctx.now()));
    });

  registerServiceUpdate(service, ctx);

  service
    .command('start')
    .description(m.actions.start)
    .argument('<name>', m.name)
    .option('--wait', m.startWait)
    .action(async (name: string, options: { wait?: boolean }, command: Command) => {
      const conn = connect(ctx, command);
      const started = await conn.client.startService({ params: { name } });
      ctx.out(`${started.name}: ${started.state}\n`);
      if (options.wait) ctx.exitCode = await waitForService(ctx, conn, name);
    });
  for (const action of ['restart', 'delete'] as const) {
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
        const restarted = await client.restartService({ params: { name } });
        ctx.out(`${restarted.name}: ${restarted.state}\n`);
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

  registerServiceLogs(service, ctx);
  registerServiceMetrics(service, ctx);
  registerServiceTokens(service, ctx);
  registerServiceCurl(service, ctx);
}
