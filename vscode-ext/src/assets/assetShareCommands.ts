import { ApiError, type ApiClient, type AssetKind } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { shareHoursProblem } from '../commands/imageCommands.js';
import { requireClient } from '../commands/requireClient.js';
import { describeError } from '../connection/errorMessage.js';
import { assetOf, type AssetArgument, type AssetCommandDeps } from './assetPick.js';
import { kindLabel } from './assetPresentation.js';

/** Why a share token was not taken, for people: `gone` (410) is an expired or revoked token. */
export function redeemProblem(error: unknown): string {
  if (error instanceof ApiError && error.code === 'gone')
    return vscode.l10n.t('This share token no longer works (it expired or was revoked): {0}', error.message);
  return describeError(error);
}

/** Registers Share…, Revoke Share…, and Add Shared Dataset… / Add Shared Model…. */
export function registerAssetShareCommands(deps: AssetCommandDeps): vscode.Disposable[] {
  const withClient =
    (run: (client: ApiClient, arg: AssetArgument) => Promise<unknown>) => async (arg: AssetArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        await run(client, arg);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };

  const addShared = (kind: AssetKind) =>
    withClient(async (client) => {
      const title = kind === 'datasets' ? vscode.l10n.t('Add Shared Dataset') : vscode.l10n.t('Add Shared Model');
      const token = await vscode.window.showInputBox({
        title,
        prompt: vscode.l10n.t('The share token another user gave you'),
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Paste the share token') : undefined),
      });
      if (!token?.trim()) return;
      let name: string | undefined;
      for (;;) {
        try {
          const asset = await client.redeemAssetShare({
            params: { kind },
            body: { token: token.trim(), ...(name ? { name } : {}) },
          });
          deps.assets[kind].apply({ change: 'updated', asset });
          void vscode.window.showInformationMessage(
            vscode.l10n.t('Added {0}, shared by {1}, read-only.', asset.name, asset.sharedBy ?? asset.owner),
          );
          return;
        } catch (error) {
          // The name is taken: ask for another, once per refusal.
          const taken =
            error instanceof ApiError && error.code === 'conflict' && error.issues?.some((i) => /name/.test(i.path));
          if (!taken) {
            await vscode.window.showErrorMessage(redeemProblem(error));
            return;
          }
          name = await vscode.window.showInputBox({
            title,
            prompt: `${(error as ApiError).message}. ${vscode.l10n.t('The name it takes in your list:')}`,
            ignoreFocusOut: true,
          });
          if (!name?.trim()) return;
          name = name.trim();
        }
      }
    });

  return [
    vscode.commands.registerCommand(
      CommandIds.shareAsset,
      withClient(async (client, arg) => {
        const asset = await assetOf(deps, arg, (a) => !a.readOnly);
        if (!asset) return;
        const version = arg?.kind === 'version' ? arg.version.version : undefined;
        const what = version ? `${asset.name}@${version}` : asset.name;
        const hours = await vscode.window.showInputBox({
          title: vscode.l10n.t('Share {0}', what),
          prompt: vscode.l10n.t('Hours until the token stops working (empty: it works until you revoke it)'),
          ignoreFocusOut: true,
          validateInput: shareHoursProblem,
        });
        if (hours === undefined) return;
        const { token, share } = await client.shareAsset({
          params: { kind: asset.kind, id: asset.id },
          body: {
            ...(version ? { version } : {}),
            ...(hours.trim() ? { expiresInHours: Number(hours.trim()) } : {}),
          },
        });
        const copy = vscode.l10n.t('Copy Token');
        const expiry = share.expiresAt
          ? vscode.l10n.t('It works until {0}.', new Date(share.expiresAt).toLocaleString())
          : vscode.l10n.t('It works until you revoke it.');
        const answer = await vscode.window.showInformationMessage(
          vscode.l10n.t('Share token for {0}', what),
          {
            modal: true,
            detail: `${token}\n\n${vscode.l10n.t('Copy it now: it will not be shown again.')} ${expiry}`,
          },
          copy,
        );
        if (answer !== copy) return;
        await vscode.env.clipboard.writeText(token);
        void vscode.window.showInformationMessage(vscode.l10n.t('Copied the share token for {0}.', what));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.revokeAssetShare,
      withClient(async (client, arg) => {
        const asset = await assetOf(deps, arg, (a) => !a.readOnly);
        if (!asset) return;
        const { items } = await client.listAssetShares({ params: { kind: asset.kind, id: asset.id } });
        const active = items.filter((s) => !s.revokedAt);
        if (active.length === 0) {
          void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no shares to revoke.', asset.name));
          return;
        }
        const chosen = await vscode.window.showQuickPick(
          active.map((share) => ({
            label: share.version ? `${asset.name}@${share.version}` : vscode.l10n.t('{0} (every version)', asset.name),
            description: share.expiresAt
              ? vscode.l10n.t('until {0}', new Date(share.expiresAt).toLocaleString())
              : vscode.l10n.t('no expiry'),
            detail:
              share.redeemedBy.length > 0
                ? vscode.l10n.t('Added by {0}', share.redeemedBy.join(', '))
                : vscode.l10n.t('Not added by anyone yet'),
            share,
          })),
          { title: vscode.l10n.t('Revoke a share of the {0} {1}', kindLabel(asset.kind), asset.name) },
        );
        if (!chosen) return;
        const confirm = vscode.l10n.t('Revoke');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Revoke this share? Its token stops working and those who added it lose it.'),
          { modal: true },
          confirm,
        );
        if (answer !== confirm) return;
        await client.revokeAssetShare({ params: { kind: asset.kind, id: asset.id, shareId: chosen.share.id } });
      }),
    ),
    vscode.commands.registerCommand(CommandIds.addSharedDataset, addShared('datasets')),
    vscode.commands.registerCommand(CommandIds.addSharedModel, addShared('models')),
  ];
}
