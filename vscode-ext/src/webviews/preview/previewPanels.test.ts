import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as vscode from 'vscode';
import { startRealBackend, type RealBackend } from '../../../../testing/src/realBackend.js';
import { fake, FakeWebviewPanel } from '../../test/vscodeFake.js';
import { PreviewPanels, PREVIEW_VIEW_TYPE } from './previewPanels.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

let backend: RealBackend;
beforeAll(async () => {
  backend = await startRealBackend();
  await backend.writeFile(`home/${backend.user}/restore/scores.csv`, 'name,score\nann,1\n');
});
afterAll(() => backend?.close());

const restoredPanel = () => new FakeWebviewPanel(PREVIEW_VIEW_TYPE, 'scores.csv', {});
const asPanel = (panel: FakeWebviewPanel) => panel as unknown as vscode.WebviewPanel;

describe('previews restored after a window reload', () => {
  it('saves the path in the page, and a restored page shows that file again once connected', async () => {
    fake.reset();
    const previews = new PreviewPanels();
    try {
      await previews.show(backend.client(), 'home/restore/scores.csv');
      const shown = fake.webviewPanels[0]!;
      expect(shown.webview.html).toContain('acquireVsCodeApi().setState({"path":"home/restore/scores.csv"})');

      const panel = restoredPanel();
      previews.restore(asPanel(panel), { path: 'home/restore/other.csv' }, undefined);
      expect(panel.webview.html).toContain('Not connected to the AI Platform.');
      await backend.writeFile(`home/${backend.user}/restore/other.csv`, 'name,score\nbob,2\n');
      await previews.reloadRestored(backend.client());
      expect(panel.webview.html).toContain('<td>bob</td>');
      expect(panel.disposed).toBe(false);
    } finally {
      previews.dispose();
    }
  });

  it('closes a restored page without a usable path, and keeps a path out of the script', async () => {
    fake.reset();
    const previews = new PreviewPanels();
    try {
      for (const state of [undefined, {}, { path: 42 }, { path: '' }]) {
        const panel = restoredPanel();
        previews.restore(asPanel(panel), state, backend.client());
        expect(panel.disposed).toBe(true);
      }
      const panel = restoredPanel();
      previews.restore(asPanel(panel), { path: 'home/</script><b>x' }, undefined);
      expect(panel.webview.html).not.toContain('</script><b>');
    } finally {
      previews.dispose();
    }
  });
});
