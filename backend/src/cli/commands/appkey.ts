import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { age, table } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect } from './shared.js';

/** `aiplat appkey create|list|enable|disable|delete`: 慧聚 AppKeys, bound to some of your services. */
export function registerAppKeys(program: Command, ctx: CliContext): void {
  const appkey = program.command('appkey').description(m.appkey.description).addHelpText('after', m.appkey.after);
  appkey
    .command('create')
    .description(m.appkey.create)
    .requiredOption('--service <name...>', m.appkey.services)
    .option('--description <text>', m.appkey.describe)
    .action(async (options: { service: string[]; description?: string }, command: Command) => {
      const created = await connect(ctx, command).client.createAppKey({
        body: {
          services: options.service,
          ...(options.description !== undefined ? { description: options.description } : {}),
        },
      });
      ctx.out(`AppKey: ${created.appKey}\nAppSecret: ${created.appSecret}\n`);
      ctx.info(m.appkey.once);
    });
  appkey
    .command('list')
    .description(m.appkey.list)
    .action(async (_options: unknown, command: Command) => {
      const { appKeys } = await connect(ctx, command).client.listAppKeys();
      if (appKeys.length === 0) return ctx.out(`${m.appkey.none}\n`);
      const h = m.header;
      ctx.out(
        table(
          [h.appKey, h.enabled, h.services, h.age, h.lastUsed],
          appKeys.map((k) => [
            k.appKey,
            k.enabled ? 'yes' : 'no',
            k.services.join(','),
            age(k.createdAt, ctx.now()),
            age(k.lastUsedAt, ctx.now()),
          ]),
        ),
      );
    });
  for (const action of ['enable', 'disable', 'delete'] as const) {
    appkey
      .command(action)
      .description(m.appkey[action])
      .argument('<AppKey>', m.appkey.key)
      .action(async (key: string, _options: unknown, command: Command) => {
        const { client } = connect(ctx, command);
        if (action === 'delete') await client.deleteAppKey({ params: { appKey: key } });
        else await client.updateAppKey({ params: { appKey: key }, body: { enabled: action === 'enable' } });
        ctx.out(`${key}: ${action}d\n`);
      });
  }
}
