import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatBytes, type ApiClient, type Asset, type AssetTask, type ImportSource } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { requireClient } from '../commands/requireClient.js';
import { describeError } from '../connection/errorMessage.js';
import { assetOf, type AssetArgument, type AssetCommandDeps } from './assetPick.js';
import { workRelative } from './assetReveal.js';
import { followTask } from './assetTaskProgress.js';
import { countedFileBody } from './assetTransfer.js';

type SourceType = ImportSource['type'] | 'upload';

export function urlProblem(value: string): string | undefined {
  return /^https?:\/\/\S+$/i.test(value.trim()) ? undefined : vscode.l10n.t('An http:// or https:// link');
}

const required = (value: string) => (value.trim() === '' ? vscode.l10n.t('Required') : undefined);

const ARCHIVE = /\.(zip|tar|tgz|tar\.gz)$/i;

/** Extract an archive, or keep it as it is; undefined when cancelled. */
async function askExtract(title: string): Promise<boolean | undefined> {
  const extract = vscode.l10n.t('Extract it');
  const keep = vscode.l10n.t('Keep the archive as it is');
  const answer = await vscode.window.showQuickPick([extract, keep], { title });
  return answer === undefined ? undefined : answer === extract;
}

/** Asks where to import from; a source for the imports route, an upload, or undefined when cancelled. */
async function askSource(
  asset: Asset,
): Promise<ImportSource | { type: 'upload'; file: string; extract: boolean; into?: string } | undefined> {
  const title = vscode.l10n.t('Import into {0}', asset.name);
  const choices: { label: string; detail: string; type: SourceType }[] = [
    { label: vscode.l10n.t('Folder under /work'), detail: 'home/…, cache/…, mount/…', type: 'folder' },
    { label: vscode.l10n.t("A job's output"), detail: vscode.l10n.t("A finished job's working folder"), type: 'job' },
    { label: vscode.l10n.t('Download link'), detail: vscode.l10n.t('A file or archive over http(s)'), type: 'url' },
    { label: vscode.l10n.t('Local file'), detail: vscode.l10n.t('A file or archive on this computer'), type: 'upload' },
  ];
  if (asset.kind === 'models')
    choices.push({
      label: vscode.l10n.t('Share token'),
      detail: vscode.l10n.t('A model another user shared'),
      type: 'share',
    });
  const picked = await vscode.window.showQuickPick(choices, { title, placeHolder: vscode.l10n.t('Import from…') });
  const input = (prompt: string, validateInput: (v: string) => string | undefined, placeHolder?: string) =>
    vscode.window.showInputBox({
      title,
      prompt,
      validateInput,
      ignoreFocusOut: true,
      ...(placeHolder ? { placeHolder } : {}),
    });
  switch (picked?.type) {
    case undefined:
      return undefined;
    case 'folder': {
      const folder = await input(vscode.l10n.t('A folder under /work'), required, 'home/data/alpaca');
      return folder?.trim() ? { type: 'folder', path: workRelative(folder) } : undefined;
    }
    case 'job': {
      const jobId = await input(vscode.l10n.t("The finished job's id"), required, 'job-1a2b3c4d5e');
      if (!jobId?.trim()) return undefined;
      const subPath = await input(
        vscode.l10n.t("A folder inside the job's working folder (optional)"),
        () => undefined,
      );
      if (subPath === undefined) return undefined;
      return { type: 'job', jobId: jobId.trim(), ...(subPath.trim() ? { subPath: subPath.trim() } : {}) };
    }
    case 'url': {
      const url = await input(vscode.l10n.t('The link of a file or archive'), urlProblem, 'https://');
      if (!url || urlProblem(url)) return undefined;
      const extract = ARCHIVE.test(url.trim()) ? await askExtract(title) : true;
      if (extract === undefined) return undefined;
      return { type: 'url', url: url.trim(), ...(extract ? {} : { extract: false }) };
    }
    case 'share': {
      const token = await input(vscode.l10n.t('The share token another user gave you'), required);
      return token?.trim() ? { type: 'share', token: token.trim() } : undefined;
    }
    case 'upload': {
      const files = await vscode.window.showOpenDialog({
        title,
        openLabel: vscode.l10n.t('Upload'),
        canSelectMany: false,
        canSelectFolders: false,
      });
      const file = files?.[0]?.fsPath;
      if (!file) return undefined;
      const extract = ARCHIVE.test(file) ? await askExtract(title) : true;
      if (extract === undefined) return undefined;
      if (asset.kind !== 'datasets') return { type: 'upload', file, extract };
      const into = await input(vscode.l10n.t('A folder inside the dataset to put it in (optional)'), () => undefined);
      if (into === undefined) return undefined;
      return { type: 'upload', file, extract, ...(into.trim() ? { into: workRelative(into) } : {}) };
    }
  }
}

/** Streams a local file up in a cancellable notification; resolves with the import task once it is all there. */
async function upload(
  client: ApiClient,
  asset: Asset,
  source: { file: string; extract: boolean; into?: string },
): Promise<AssetTask | undefined> {
  const size = (await stat(source.file)).size;
  const name = path.basename(source.file);
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Uploading {0} to {1}', name, asset.name),
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      let reported = 0;
      const body = countedFileBody(source.file, (sent) => {
        const percent = size > 0 ? Math.floor((sent / size) * 100) : 100;
        if (percent <= reported) return;
        progress.report({ message: `${formatBytes(sent)} / ${formatBytes(size)}`, increment: percent - reported });
        reported = percent;
      });
      try {
        return await client.uploadIntoAsset(
          {
            params: { kind: asset.kind, id: asset.id },
            query: {
              fileName: name,
              ...(source.extract ? {} : { extract: 'false' as const }),
              ...(source.into ? { into: source.into } : {}),
            },
            data: body as unknown as ReadableStream<Uint8Array>,
          },
          { signal: abort.signal },
        );
      } catch (error) {
        if (abort.signal.aborted) return undefined;
        throw error;
      }
    },
  );
}

/** Registers Import…: from a folder under /work, a job, a link, a local file (uploaded) or a share token. */
export function registerAssetImportCommands(deps: AssetCommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(CommandIds.importIntoAsset, async (arg: AssetArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const asset = await assetOf(deps, arg, (a) => !a.readOnly);
        if (!asset) return;
        const source = await askSource(asset);
        if (!source) return;
        const task =
          source.type === 'upload'
            ? await upload(client, asset, source)
            : await client.importIntoAsset({ params: { kind: asset.kind, id: asset.id }, body: { source } });
        if (task) await followTask(deps.tasks, client, task, vscode.l10n.t('Importing into {0}', asset.name));
      } catch (error) {
        await vscode.window.showErrorMessage(vscode.l10n.t('The import did not start. {0}', describeError(error)));
      }
    }),
  ];
}
