import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect, wholeNumber } from './shared.js';

/** `aiplat service token create|list|enable|disable|delete`: a service's bearer tokens (TI-ONE). */
export function registerServiceTokens(service: Command, ctx: CliContext): void {
  const token = service.command('token').description(m.token.description);
  token
    .command('create')
    .description(m.token.create)
    .argument('<service>', m.name)
    .option('--per-minute <tokens>', m.token.perMinute, wholeNumber(1, 1e12, m.token.badLimit))
    .option('--per-day <tokens>', m.token.perDay, wholeNumber(1, 1e12, m.token.badLimit))
    .action(async (name: string, options: { perMinute?: number; perDay?: number }, command: Command) => {
      const created = await connect(ctx, command).client.createServiceToken({
        params: { name },
        body: {
          ...(options.perMinute !== undefined ? { tokensPerMinute: options.perMinute } : {}),
          ...(options.perDay !== undefined ? { tokensPerDay: options.perDay } : {}),
        },
      });
      ctx.out(`${created.token}\n`);
      ctx.info(m.token.once(created.id));
    });
  token
    .command('list')
    .description(m.token.list)
    .argument('<service>', m.name)
    .action(async (name: string, _options: unknown, command: Command) => {
      const { tokens } = await connect(ctx, command).client.listServiceTokens({ params: { name } });
      if (tokens.length === 0) return ctx.out(`${m.token.none(name)}\n`);
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
      .description(m.token[action])
      .argument('<service>', m.name)
      .argument('<id>', m.token.id)
      .action(async (name: string, id: string, _options: unknown, command: Command) => {
        const { client } = connect(ctx, command);
        if (action === 'delete') await client.deleteServiceToken({ params: { name, id } });
        else await client.updateServiceToken({ params: { name, id }, body: { enabled: action === 'enable' } });
        ctx.out(`${id}: ${action}d\n`);
      });
  }
}
