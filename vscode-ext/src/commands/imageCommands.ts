import { MAX_SHARE_HOURS, parseShareHours, type ApiClient, type Image } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import { imageSourceLabel } from '../images/imagePresentation.js';
import type { ImagesModel } from '../images/imagesModel.js';
import type { ImageNode } from '../images/imagesTreeProvider.js';
import { CommandIds } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface ImageCommandDeps {
  connection: ConnectionService;
  images: ImagesModel;
}

/** What image commands accept: a view item, an image id, or nothing (asks). */
export type ImageArgument = ImageNode | string | undefined;

/** Why a number of hours is not one a share takes (1 to 8760, empty: no expiry), or undefined. */
export function shareHoursProblem(value: string): string | undefined {
  return parseShareHours(value) !== 'invalid'
    ? undefined
    : vscode.l10n.t('A whole number of hours from 1 to {0}, or empty for no expiry', MAX_SHARE_HOURS);
}

/** Registers the Images commands: refresh, copy reference, share, delete, add a shared image. */
export function registerImageCommands(deps: ImageCommandDeps): vscode.Disposable[] {
  const withImage =
    (run: (client: ApiClient, image: Image) => Promise<unknown>, filter?: (image: Image) => boolean) =>
    async (arg?: ImageArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const image = await resolveImage(client, deps.images, arg, filter);
        if (image) await run(client, image);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };

  return [
    vscode.commands.registerCommand(CommandIds.refreshImages, () => deps.images.refresh()),
    vscode.commands.registerCommand(
      CommandIds.copyImageReference,
      withImage(async (_client, image) => {
        await vscode.env.clipboard.writeText(image.ref);
        void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0}', image.ref));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.shareImage,
      withImage(
        (client, image) => share(client, image),
        (image) => image.source === 'saved',
      ),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteImage,
      withImage(
        async (client, image) => {
          const shared = image.source === 'shared';
          const confirm = shared ? vscode.l10n.t('Remove') : vscode.l10n.t('Delete');
          const question = shared
            ? vscode.l10n.t('Remove {0} from your list? The image stays with the user who shared it.', image.ref)
            : vscode.l10n.t(
                'Delete {0}? It is deleted from the registry, and users you shared it with lose it too.',
                image.ref,
              );
          const answer = await vscode.window.showWarningMessage(question, { modal: true }, confirm);
          if (answer !== confirm) return;
          await client.deleteImage({ params: { id: image.id } });
          deps.images.apply({ change: 'deleted', id: image.id });
        },
        (image) => image.source !== 'preset',
      ),
    ),
    vscode.commands.registerCommand(CommandIds.addSharedImage, async () => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      const token = await vscode.window.showInputBox({
        title: vscode.l10n.t('Add Shared Image'),
        prompt: vscode.l10n.t('The share token another user gave you'),
        placeHolder: 'aiplat-img-…',
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() === '' ? vscode.l10n.t('Paste the share token') : undefined),
      });
      if (!token?.trim()) return;
      try {
        const image = await client.redeemImage({ body: { token: token.trim() } });
        deps.images.apply({ change: 'updated', image });
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Added {0} to your images: choose it wherever an image is asked for.', image.ref),
        );
      } catch (error) {
        await vscode.window.showErrorMessage(vscode.l10n.t('The image was not added. {0}', describeError(error)));
      }
    }),
  ];
}

/** Share…: an optional expiry, then the token, shown once with a button to copy it. */
async function share(client: ApiClient, image: Image): Promise<void> {
  const hours = await vscode.window.showInputBox({
    title: vscode.l10n.t('Share {0}', image.ref),
    prompt: vscode.l10n.t('Hours until the token stops working (empty: it works until you delete the image)'),
    value: '',
    ignoreFocusOut: true,
    validateInput: shareHoursProblem,
  });
  if (hours === undefined) return;
  const { token, expiresAt } = await client.shareImage({
    params: { id: image.id },
    body: hours.trim() === '' ? {} : { expiresInHours: Number(hours.trim()) },
  });
  const copy = vscode.l10n.t('Copy Token');
  const expiry = expiresAt
    ? vscode.l10n.t('It works until {0}.', new Date(expiresAt).toLocaleString())
    : vscode.l10n.t('It works until you delete the image.');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t('Share token for {0}', image.ref),
    {
      modal: true,
      detail: `${token}\n\n${vscode.l10n.t('Copy it now: it will not be shown again.')} ${expiry} ${vscode.l10n.t('Whoever has it can add the image with "Add Shared Image…".')}`,
    },
    copy,
  );
  if (answer !== copy) return;
  await vscode.env.clipboard.writeText(token);
  void vscode.window.showInformationMessage(vscode.l10n.t('Copied the share token for {0}.', image.ref));
}

async function resolveImage(
  client: ApiClient,
  model: ImagesModel,
  arg: ImageArgument,
  filter: (image: Image) => boolean = () => true,
): Promise<Image | undefined> {
  if (typeof arg === 'object' && arg.kind === 'image') return arg.image;
  if (typeof arg === 'string') return model.find(arg) ?? (await client.getImage({ params: { id: arg } }));
  if (!model.loaded) await model.refresh();
  const candidates = model.items.filter(filter);
  if (candidates.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No image to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((image) => ({ label: image.ref, description: imageSourceLabel(image.source), image })),
    { title: vscode.l10n.t('Choose an image'), matchOnDescription: true },
  );
  return chosen?.image;
}
