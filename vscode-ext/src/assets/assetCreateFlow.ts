import {
  ANNOTATION_TYPES,
  ASSET_NAME_PATTERN,
  DATASET_DATA_TYPES,
  type AnnotationType,
  type AssetKind,
  type CreateAssetBody,
  type DatasetDataType,
} from '@aiplat/api';
import * as vscode from 'vscode';

/** Why `name` cannot name a new asset (its pattern, or one of `taken`), or undefined. */
export function assetNameProblem(name: string, taken: readonly string[]): string | undefined {
  const text = name.trim();
  if (text === '') return vscode.l10n.t('Give it a name');
  if (!ASSET_NAME_PATTERN.test(text))
    return vscode.l10n.t('1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
  if (taken.includes(text)) return vscode.l10n.t('You already have one named {0}', text);
  return undefined;
}

function dataTypeLabel(type: DatasetDataType): string {
  switch (type) {
    case 'text':
      return vscode.l10n.t('Text');
    case 'image':
      return vscode.l10n.t('Images');
    case 'other':
      return vscode.l10n.t('Other');
  }
}

function annotationDetail(type: AnnotationType): string {
  switch (type) {
    case 'none':
      return vscode.l10n.t('Records are not checked');
    case 'instruction':
      return vscode.l10n.t('Records with instruction, input and output');
    case 'conversation':
      return vscode.l10n.t('OpenAI messages or ShareGPT conversations');
    case 'qa':
      return vscode.l10n.t('Question and answer pairs (text, Query, Answer, …)');
    case 'ranking':
      return vscode.l10n.t('A prompt with answers in order of preference');
  }
}

/**
 * Create Dataset / Create Model: the name (checked as typed), a description, and for a dataset its
 * data type and annotation type. Undefined when cancelled at any step.
 */
export async function askNewAsset(kind: AssetKind, taken: readonly string[]): Promise<CreateAssetBody | undefined> {
  const datasets = kind === 'datasets';
  const title = datasets ? vscode.l10n.t('Create Dataset') : vscode.l10n.t('Create Model');
  const name = await vscode.window.showInputBox({
    title,
    prompt: datasets
      ? vscode.l10n.t('The dataset name (its folder is home/datasets/<name>)')
      : vscode.l10n.t('The model name'),
    placeHolder: datasets ? 'alpaca-zh' : 'qwen-sft',
    ignoreFocusOut: true,
    validateInput: (value) => assetNameProblem(value, taken),
  });
  if (name === undefined || assetNameProblem(name, taken)) return undefined;
  const description = await vscode.window.showInputBox({
    title,
    prompt: vscode.l10n.t('A description (optional)'),
    ignoreFocusOut: true,
  });
  if (description === undefined) return undefined;
  const body: CreateAssetBody = {
    name: name.trim(),
    ...(description.trim() ? { description: description.trim() } : {}),
  };
  if (!datasets) return body;
  const dataType = await vscode.window.showQuickPick(
    DATASET_DATA_TYPES.map((type) => ({ label: dataTypeLabel(type), type })),
    { title, placeHolder: vscode.l10n.t('What kind of data it holds') },
  );
  if (!dataType) return undefined;
  const annotation = await vscode.window.showQuickPick(
    ANNOTATION_TYPES.map((type) => ({ label: type, detail: annotationDetail(type), type })),
    { title, placeHolder: vscode.l10n.t('How its records are annotated (imports check them)') },
  );
  if (!annotation) return undefined;
  return { ...body, dataType: dataType.type, annotationType: annotation.type };
}
