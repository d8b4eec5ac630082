import type { ApiClient, DevMachine, ImageSave, SaveImageBody } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { EventSource } from '../connection/liveEvents.js';
import { devMachineTitle } from '../devmachines/devMachinePresentation.js';
import type { DevMachinesModel } from '../devmachines/devMachinesModel.js';
import {
  DEFAULT_IMAGE_TAG,
  repositoryFromName,
  repositoryProblem,
  saveFieldProblems,
  tagProblem,
  type SaveField,
} from '../images/imageNames.js';
import { ImageSaveTracker } from '../images/imageSaveProgress.js';
import { previewDetail } from '../images/imageSavePreview.js';
import { watchImageSaves } from '../images/imageSaveWatch.js';
import type { ImagesModel } from '../images/imagesModel.js';
import { CommandIds } from './commandIds.js';
import { resolveDevMachine, type DevMachineArgument } from './devMachineCommands.js';
import { requireClient } from './requireClient.js';

export interface SaveImageCommandDeps {
  connection: ConnectionService;
  devMachines: DevMachinesModel;
  images: ImagesModel;
  events: EventSource;
  /** How often saves are read while there is no live connection (tests make it short). */
  pollIntervalMs?: number;
}

const isRunning = (machine: DevMachine) => machine.state === 'Running';

/**
 * Registers Save Environment as Image…: on a running dev machine, the new image's name, tag and
 * comment, a preview of what the new layer carries (and leaves out), then the save with its
 * progress (cancellable), ending with the image's reference or the error.
 */
export function registerSaveImageCommands(deps: SaveImageCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.saveDevMachineAsImage, async (arg?: DevMachineArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      let machine: DevMachine | undefined;
      try {
        machine = await resolveDevMachine(client, deps.devMachines, arg, isRunning);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
        return;
      }
      if (machine) await saveAsImage(deps, client, machine);
    }),
  ];
}

async function saveAsImage(deps: SaveImageCommandDeps, client: ApiClient, machine: DevMachine): Promise<void> {
  const title = vscode.l10n.t('Save {0} as Image', machine.spec.name);
  const body = await askSaveTarget(title, machine);
  if (!body) return;
  const failed = (error: unknown) =>
    vscode.window.showErrorMessage(
      vscode.l10n.t('{0} cannot be saved as an image: {1}', devMachineTitle(machine), describeError(error)),
    );

  let started: ImageSave | undefined;
  for (let asked = body; !started;) {
    try {
      const preview = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Reading what {0} would save…', machine.spec.name),
        },
        () => client.previewImageSave({ params: { id: machine.id }, body: {} }),
      );
      const save = vscode.l10n.t('Save');
      const answer = await vscode.window.showInformationMessage(
        vscode.l10n.t('Save {0} as {1}?', machine.spec.name, `${asked.repository}:${asked.tag}`),
        { modal: true, detail: previewDetail(preview) },
        save,
      );
      if (answer !== save) return;
      started = await client.saveImage({ params: { id: machine.id }, body: asked });
    } catch (error) {
      // A 400 naming what was typed: the boxes again, the server's sentence on the field it names.
      const problems = saveFieldProblems(error);
      if (!problems) {
        await failed(error);
        return;
      }
      const again = await askSaveTarget(title, machine, { previous: asked, problems });
      if (!again) return;
      asked = again;
    }
  }

  const done = await followSave(deps, client, started);
  switch (done.state) {
    case 'Succeeded': {
      if (done.image) deps.images.apply({ change: 'updated', image: done.image });
      const copy = vscode.l10n.t('Copy Reference');
      const picked = await vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}', done.ref), copy);
      if (picked === copy) await vscode.env.clipboard.writeText(done.ref);
      return;
    }
    case 'Cancelled':
      await vscode.window.showInformationMessage(
        vscode.l10n.t('Saving {0} was cancelled; nothing was left in the registry.', done.ref),
      );
      return;
    default:
      await vscode.window.showErrorMessage(
        vscode.l10n.t('{0} was not saved: {1}', done.ref, done.error ?? vscode.l10n.t('no reason given')),
      );
  }
}

/** What the boxes show again after the server refused a request: its values and what it said of them. */
interface SaveRetry {
  previous: SaveImageBody;
  problems: Partial<Record<SaveField, string>>;
}

/**
 * Repository (prefilled from the machine's name), tag and comment, each checked as typed by the
 * contract's rule; after a refusal, the values sent, with the server's sentence on each field it
 * named until that value is changed. Undefined when cancelled.
 */
async function askSaveTarget(
  title: string,
  machine: DevMachine,
  retry?: SaveRetry,
): Promise<SaveImageBody | undefined> {
  const check =
    (field: SaveField, local: (value: string) => string | undefined = () => undefined) =>
    (value: string) => {
      const problem = retry?.problems[field];
      const sent = field === 'comment' ? (retry?.previous.comment ?? '') : retry?.previous[field];
      return problem !== undefined && value.trim() === sent ? problem : local(value.trim());
    };
  const repository = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Repository of the new image (lowercase letters, digits and . _ - separated by /)'),
    value: retry?.previous.repository ?? repositoryFromName(machine.spec.name),
    ignoreFocusOut: true,
    validateInput: check('repository', repositoryProblem),
  });
  if (repository === undefined) return undefined;
  const tag = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('Tag (letters, digits, _ . -)'),
    value: retry?.previous.tag ?? DEFAULT_IMAGE_TAG,
    ignoreFocusOut: true,
    validateInput: check('tag', tagProblem),
  });
  if (tag === undefined) return undefined;
  const comment = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t("Comment for the image's history (optional)"),
    value: retry?.previous.comment ?? '',
    ignoreFocusOut: true,
    validateInput: check('comment'),
  });
  if (comment === undefined) return undefined;
  return {
    repository: repository.trim(),
    tag: tag.trim(),
    ...(comment.trim() ? { comment: comment.trim() } : {}),
  };
}

/**
 * The save's progress notification until it is over: fed by the `image-saves` topic (read again at
 * each subscription; polled while there is no live connection). Cancel asks the server to cancel;
 * the notification's end is the save's own final state.
 */
function followSave(deps: SaveImageCommandDeps, client: ApiClient, started: ImageSave): Promise<ImageSave> {
  const tracker = new ImageSaveTracker(started);
  return Promise.resolve(
    vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Saving {0}', started.ref),
        cancellable: true,
      },
      (progress, token) =>
        new Promise<ImageSave>((resolve) => {
          const subscriptions: { dispose(): void }[] = [];
          const take = (save: ImageSave) => {
            const step = tracker.update(save);
            if (step) progress.report(step);
            if (!tracker.finished) return;
            for (const subscription of subscriptions) subscription.dispose();
            resolve(tracker.save);
          };
          progress.report(tracker.start());
          subscriptions.push(
            watchImageSaves({
              client,
              events: deps.events,
              onSave: take,
              ...(deps.pollIntervalMs ? { pollIntervalMs: deps.pollIntervalMs } : {}),
            }),
            token.onCancellationRequested(() => {
              client.cancelImageSave({ params: { id: started.id } }).then(take, (error: unknown) => {
                void vscode.window.showErrorMessage(
                  vscode.l10n.t('The save could not be cancelled: {0}', describeError(error)),
                );
              });
            }),
          );
          if (tracker.finished) take(tracker.save);
        }),
    ),
  );
}
