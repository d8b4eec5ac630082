import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { table } from '../format.js';
import { serviceMessages as m } from '../serviceMessages.js';
import { connect, wholeNumber } from './shared.js';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${value} ms`);

/** `aiplat service metrics NAME [--step S]`: a row per time step. */
export function registerServiceMetrics(service: Command, ctx: CliContext): void {
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
      if (points.length === 0) return ctx.out(`${m.noTraffic(name)}\n`);
      const h = m.header;
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
}
