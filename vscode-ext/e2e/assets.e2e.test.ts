import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerInput, keepEvidence, notification, startVsCode, treeItem, type VsCode } from './harness.js';

/*
 * Datasets in a real code-server against a real backend: "Create Dataset…" from the Datasets
 * view's title asks for the name, a description, the data type and the annotation type, and the
 * new dataset shows in the view. (Imports, shares and exports are covered by the unit tests and,
 * against a real backend, by the CLI's tests.)
 */

describe('the VS Code extension: datasets', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode();
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('creates a dataset in steps and shows it in the Datasets view', async () => {
    const view = await vsc.openView('Datasets');
    await view.hover();
    await view.locator('.pane-header .actions .action-label[aria-label^="Create Dataset"]').click();
    await answerInput(vsc.page, 'e2e-data');
    await answerInput(vsc.page, 'from the e2e');
    await answerInput(vsc.page, 'Text');
    await answerInput(vsc.page, 'instruction');
    await notification(vsc.page, 'Created the dataset e2e-data.').waitFor({ timeout: 20_000 });
    const row = treeItem(view, 'e2e-data');
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.label-description').textContent()).toBe('0 versions · text/instruction');
    await vsc.screenshot('datasets-view-created');
  });
});
