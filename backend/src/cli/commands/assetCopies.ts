import type { Command } from 'commander';
import { formatBytes, type AssetKind, type AssetTask } from '@aiplat/api';
import type { AssetMessages } from '../assetMessages.js';
import { UsageError, type CliContext, type Connection } from '../context.js';
import { downloadArchive } from './assetArchive.js';
import { findAsset, parseRef } from './assetLookup.js';
import { followTask } from './assetTaskFollow.js';
import { cliPath } from './files.js';

/** `aiplat dataset|model accelerate|evict|export`: copies of a version, on fast storage, in /work or local. */
export function registerAssetCopies(
  group: Command,
  ctx: CliContext,
  m: AssetMessages,
  kind: AssetKind,
  connect: (command: Command) => Connection,
): void {
  /** Waits for the task unless --detach (then prints its id). */
  const waitOrDetach = async (conn: Connection, task: AssetTask, detach: boolean | undefined) => {
    if (detach) {
      ctx.out(`${task.id}\n`);
      ctx.info(m.task.detached(task.id, m.noun(kind)));
      return;
    }
    ctx.exitCode = await followTask(conn, ctx, m, task);
  };

  group
    .command('accelerate')
    .description(m.accelerate.description)
    .argument('<ref>', m.ref(kind))
    .option('--detach', m.detach)
    .action(async (ref: string, options: { detach?: boolean }, command: Command) => {
      const { name, version } = parseRef(m, ref, true);
      const conn = connect(command);
      const asset = await findAsset(conn.client, m, kind, name);
      const task = await conn.client.accelerateVersion({ params: { kind, id: asset.id, version: version! } });
      await waitOrDetach(conn, task, options.detach);
    });

  group
    .command('evict')
    .description(m.evict.description)
    .argument('<ref>', m.ref(kind))
    .action(async (ref: string, _options: unknown, command: Command) => {
      const { name, version } = parseRef(m, ref, true);
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      await client.evictVersion({ params: { kind, id: asset.id, version: version! } });
      ctx.out(`${m.evict.done(`${asset.name}@${version}`)}\n`);
    });

  group
    .command('export')
    .description(m.export.description)
    .argument('<ref>', m.ref(kind))
    .option('--to <path>', m.export.to)
    .option('--archive <file>', m.export.archive)
    .option('--detach', m.detach)
    .action(async (ref: string, options: { to?: string; archive?: string; detach?: boolean }, command: Command) => {
      const { name, version } = parseRef(m, ref, true);
      if ((options.to === undefined) === (options.archive === undefined)) throw new UsageError(m.export.oneTarget);
      const conn = connect(command);
      const asset = await findAsset(conn.client, m, kind, name);
      const target = { kind, id: asset.id, version: version! };
      if (options.to !== undefined) {
        const task = await conn.client.exportVersion({ params: target, body: { path: options.to } });
        await waitOrDetach(conn, task, options.detach);
        return;
      }
      const file = cliPath(ctx, options.archive!);
      const bytes = await downloadArchive(ctx, m, conn.client, target, file, options.archive!);
      ctx.out(`${m.export.saved(options.archive!, formatBytes(bytes))}\n`);
    });
}
