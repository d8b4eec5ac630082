import { formatBytes, type ApiClient, type Image } from '@aiplat/api';
import * as vscode from 'vscode';
import type { StepItem, StepPrompt } from '../training/multiStepInput.js';
import type { Answers } from '../training/stepFlow.js';
import { imageSourceLabel } from './imagePresentation.js';

/*
 * The image step of the Create Dev Machine, Start Training and Deploy Service / Roll Out flows: a
 * pick of the user's images (presets, saved, shared) with "no image" and "Enter another image
 * reference…" (which asks for it in the next step). With no image to offer, the step stays a box.
 */

/** The pick's value of "Enter another image reference…". No reference can be this (no NUL in a ref). */
export const OTHER_IMAGE = '\u0000other';

/** The step after the image pick, asked only for "Enter another image reference…". */
export const IMAGE_REF_STEP = {
  id: 'imageRef',
  applies: (answers: Answers<string>) => answers.image === OTHER_IMAGE,
} as const;

export interface ImageStepOptions {
  /** The images to offer (empty: the step is a box, as without a catalog). */
  images: readonly Image[];
  /** The image the flow starts from (a copy, the serving version), if any. */
  current?: string;
  /** What the step asks (the box's prompt, the pick's placeholder). */
  prompt: string;
  /** The field's rule, for a typed reference; empty is allowed (no image). */
  validate: (value: string) => string | undefined;
}

/** How an image is described in the pick: where it comes from, its size, its description. */
function imageItem(image: Image): StepItem {
  const size = image.sizeBytes !== undefined ? ` · ${formatBytes(image.sizeBytes)}` : '';
  return {
    label: image.ref,
    description: `${imageSourceLabel(image.source)}${size}`,
    ...(image.description ? { detail: image.description } : {}),
    value: image.ref,
  };
}

/** The image step: a pick of `images` (the current one first), or a box when there are none. */
export function imageStepPrompt(options: ImageStepOptions): StepPrompt {
  const current = options.current?.trim() ?? '';
  if (options.images.length === 0) {
    return { kind: 'input', prompt: options.prompt, initial: current, validate: options.validate };
  }
  const none: StepItem = {
    label: vscode.l10n.t('No image'),
    description: vscode.l10n.t("the engine's default"),
    value: '',
  };
  const listed = options.images.map(imageItem);
  const first = current
    ? (listed.find((item) => item.value === current) ?? {
        label: current,
        description: vscode.l10n.t('current'),
        value: current,
      })
    : none;
  const others = [none, ...listed].filter((item) => item !== first && item.value !== first.value);
  return {
    kind: 'pick',
    placeholder: options.prompt,
    items: [first, ...others, { label: vscode.l10n.t('Enter another image reference…'), value: OTHER_IMAGE }],
  };
}

/** The step that asks for a reference not in the list. */
export function imageRefStepPrompt(options: Pick<ImageStepOptions, 'current' | 'validate' | 'images'>): StepPrompt {
  const current = options.current?.trim() ?? '';
  const listed = options.images.some((image) => image.ref === current);
  return {
    kind: 'input',
    prompt: vscode.l10n.t('Image reference, e.g. registry.example.com/team/torch:2.4'),
    initial: listed ? '' : current,
    validate: (value) =>
      value.trim() === ''
        ? vscode.l10n.t('Type an image reference, or go back to choose one')
        : options.validate(value),
  };
}

/** The image the answers chose ('' for none). */
export function imageOfAnswers(answers: { image?: string; imageRef?: string }): string {
  const chosen = answers.image === OTHER_IMAGE ? answers.imageRef : answers.image;
  return chosen?.trim() ?? '';
}

/** The images to offer in a flow; none when they cannot be read (the step is then a box). */
export async function imagesToOffer(client: Pick<ApiClient, 'listImages'>): Promise<Image[]> {
  try {
    return (await client.listImages()).images;
  } catch {
    return [];
  }
}
