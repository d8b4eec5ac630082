import type { ApiClient, LifecycleConfig } from '@aiplat/api';
import * as vscode from 'vscode';
import type { StepItem } from '../training/multiStepInput.js';
import { scriptsSummary } from './lifecycleScripts.js';

/** The answer of the lifecycle config step that means "no scripts". */
export const NO_LIFECYCLE_CONFIG = 'none';

/**
 * The choices of the Create Dev Machine step "Lifecycle config": none, or one of the user's
 * configs by name; the current choice (a copy's config) first.
 */
export function lifecycleConfigItems(configs: readonly LifecycleConfig[], current?: string): StepItem[] {
  const items: StepItem[] = [
    {
      label: vscode.l10n.t('None'),
      description: vscode.l10n.t('no scripts before the IDEs'),
      value: NO_LIFECYCLE_CONFIG,
    },
    ...configs.map((config) => ({
      label: config.spec.name,
      description: scriptsSummary(config.spec) ?? vscode.l10n.t('no scripts yet'),
      ...(config.spec.description ? { detail: config.spec.description } : {}),
      value: config.spec.name,
    })),
  ];
  const first = items.find((item) => item.value === (current ?? NO_LIFECYCLE_CONFIG));
  return first ? [first, ...items.filter((item) => item !== first)] : items;
}

/** The user's lifecycle configs to offer, or none when they cannot be read. */
export async function lifecycleConfigsToOffer(
  client: Pick<ApiClient, 'listLifecycleConfigs'>,
): Promise<LifecycleConfig[]> {
  try {
    return (await client.listLifecycleConfigs()).lifecycleConfigs;
  } catch {
    return [];
  }
}
