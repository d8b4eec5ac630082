import type { Command } from 'commander';
import type { AssetKind } from '@aiplat/api';
import type { AssetMessages } from '../assetMessages.js';
import type { CliContext, Connection } from '../context.js';
import { toJson } from '../format.js';
import { findAsset, jsonOutput, parseRef, sharesTable } from './assetLookup.js';
import { wholeNumber } from './shared.js';

/** `aiplat dataset|model share|shares|revoke|add-shared`: share tokens (口令), given and redeemed. */
export function registerAssetShares(
  group: Command,
  ctx: CliContext,
  m: AssetMessages,
  kind: AssetKind,
  connect: (command: Command) => Connection,
): void {
  group
    .command('share')
    .description(m.share.description(kind))
    .argument('<ref>', m.refOrName(kind))
    .option('--expires-in-hours <hours>', m.share.expires, wholeNumber(1, 8760, m.share.badHours))
    .action(async (ref: string, options: { expiresInHours?: number }, command: Command) => {
      const { name, version } = parseRef(m, ref, false);
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      const created = await client.shareAsset({
        params: { kind, id: asset.id },
        body: {
          ...(version ? { version } : {}),
          ...(options.expiresInHours !== undefined ? { expiresInHours: options.expiresInHours } : {}),
        },
      });
      // The token alone on stdout (for scripts); what it is on stderr.
      ctx.out(`${created.token}\n`);
      ctx.info(m.share.once(created.share.id, created.share.expiresAt));
    });

  group
    .command('shares')
    .description(m.shares.description(kind))
    .argument('<name>', m.name(kind))
    .addOption(jsonOutput(m))
    .action(async (name: string, options: { output?: string }, command: Command) => {
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      const { items } = await client.listAssetShares({ params: { kind, id: asset.id } });
      if (options.output === 'json') ctx.out(toJson(items));
      else ctx.out(items.length === 0 ? `${m.shares.empty(asset.name)}\n` : sharesTable(m, items, ctx.now()));
    });

  group
    .command('revoke')
    .description(m.revoke.description)
    .argument('<name>', m.name(kind))
    .argument('<share-id>', m.revoke.shareId)
    .action(async (name: string, shareId: string, _options: unknown, command: Command) => {
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      const revoked = await client.revokeAssetShare({ params: { kind, id: asset.id, shareId } });
      ctx.out(`${m.revoke.done(revoked.id)}\n`);
    });

  group
    .command('add-shared')
    .description(m.addShared.description(kind))
    .argument('<token>', m.addShared.token)
    .option('--name <name>', m.addShared.name)
    .action(async (token: string, options: { name?: string }, command: Command) => {
      const added = await connect(command).client.redeemAssetShare({
        params: { kind },
        body: { token: token.trim(), ...(options.name !== undefined ? { name: options.name } : {}) },
      });
      ctx.out(`${m.addShared.done(added.name, added.sharedBy ?? added.owner, added.versions.length)}\n`);
    });
}
