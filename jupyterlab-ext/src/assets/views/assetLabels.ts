import type { AnnotationType, AssetKind, AssetTask, AssetVersion, DatasetDataType, VersionSource } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { ImportChoice } from '../model/assetImportModel.js';

export function dataTypeLabel(type: DatasetDataType, trans: TranslationBundle): string {
  const labels: Record<DatasetDataType, string> = {
    text: trans.__('Text'),
    image: trans.__('Image'),
    other: trans.__('Other'),
  };
  return labels[type];
}

export function annotationTypeLabel(type: AnnotationType, trans: TranslationBundle): string {
  const labels: Record<AnnotationType, string> = {
    none: trans.__('No annotation'),
    instruction: trans.__('Instruction (instruction, input, output)'),
    conversation: trans.__('Conversation (messages)'),
    qa: trans.__('Question and answer'),
    ranking: trans.__('Ranking (ordered answers)'),
  };
  return labels[type];
}

export function versionStateLabel(state: AssetVersion['state'], trans: TranslationBundle): string {
  const labels: Record<AssetVersion['state'], string> = {
    importing: trans.__('Importing'),
    ready: trans.__('Ready'),
    failed: trans.__('Failed'),
  };
  return labels[state];
}

export function accelerationLabel(
  state: NonNullable<AssetVersion['accelerated']>['state'],
  trans: TranslationBundle,
): string {
  const labels: Record<typeof state, string> = {
    copying: trans.__('Accelerating…'),
    ready: trans.__('Accelerated'),
    failed: trans.__('Acceleration failed'),
  };
  return labels[state];
}

export function versionSourceLabel(source: VersionSource, trans: TranslationBundle): string {
  switch (source.type) {
    case 'publish':
      return trans.__('published from the working folder');
    case 'folder':
      return trans.__('from folder %1', source.path);
    case 'job':
      return trans.__('from job %1', source.jobId);
    case 'url':
      return trans.__('from %1', source.url);
    case 'upload':
      return trans.__('uploaded %1', source.fileName);
    case 'share':
      return trans.__('from %1 of %2', `${source.name}@${source.version}`, source.owner);
  }
}

export function taskActionLabel(action: AssetTask['action'], trans: TranslationBundle): string {
  const labels: Record<AssetTask['action'], string> = {
    import: trans.__('Import'),
    accelerate: trans.__('Acceleration'),
    export: trans.__('Export'),
  };
  return labels[action];
}

export function taskPhaseLabel(phase: AssetTask['phase'], trans: TranslationBundle): string {
  const labels: Record<AssetTask['phase'], string> = {
    queued: trans.__('Queued'),
    uploading: trans.__('Uploading'),
    downloading: trans.__('Downloading'),
    extracting: trans.__('Extracting'),
    copying: trans.__('Copying'),
    checking: trans.__('Checking records'),
    summarizing: trans.__('Reading the model'),
  };
  return labels[phase];
}

export function taskStateLabel(state: AssetTask['state'], trans: TranslationBundle): string {
  const labels: Record<AssetTask['state'], string> = {
    running: trans.__('Running'),
    succeeded: trans.__('Succeeded'),
    failed: trans.__('Failed'),
    cancelled: trans.__('Cancelled'),
  };
  return labels[state];
}

export function importChoiceLabel(choice: ImportChoice, trans: TranslationBundle): string {
  const labels: Record<ImportChoice, string> = {
    folder: trans.__('A folder under /work'),
    job: trans.__("A job's output"),
    url: trans.__('A download link'),
    upload: trans.__('A file from this computer'),
    share: trans.__('A share token'),
  };
  return labels[choice];
}

/** The words that differ between the two tabs. */
export function kindLabels(kind: AssetKind, trans: TranslationBundle) {
  return kind === 'datasets'
    ? {
        tab: trans.__('Datasets'),
        create: trans.__('New dataset'),
        redeem: trans.__('Add shared dataset'),
        empty: trans.__('No datasets yet: create one, or add one shared with you.'),
        deleteTitle: trans.__('Delete dataset'),
      }
    : {
        tab: trans.__('Models'),
        create: trans.__('New model'),
        redeem: trans.__('Add shared model'),
        empty: trans.__('No models yet: create one, or add one shared with you.'),
        deleteTitle: trans.__('Delete model'),
      };
}
