import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  answerInput,
  fromContextMenu,
  keepEvidence,
  notification,
  startVsCode,
  treeItem,
  type VsCode,
} from './harness.js';

/*
 * The image catalog in a real code-server against a real backend with a preset in its
 * configuration: the Images view lists it under Presets with its description, Copy Reference from
 * its context menu copies it, and "Add Shared Image…" in the view's title sends the token to the
 * server and shows why it was refused. (Saving a dev machine as an image needs Podman, a registry
 * and an image build: the backend's save e2e covers it, the unit tests cover the IDE's side.)
 */

const PRESET = 'registry.example.com/aiplat/devbox:1';

/** Runs a command of a tree item's context menu (right-click, then the entry). */
describe('the VS Code extension: images', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({
      backendConfig: `images:\n  presets:\n    - ref: ${PRESET}\n      description: The platform dev machine image\n`,
    });
    await vsc.setToken();
  }, 120_000);
  beforeEach(({ task, onTestFailed }) => onTestFailed(() => keepEvidence(vsc, task.name)));
  afterAll(async () => {
    await vsc?.close();
  });

  it('lists the preset, copies its reference, and says why a share token is refused', async () => {
    const view = await vsc.openView('Images');
    await treeItem(view, 'Presets').waitFor({ timeout: 30_000 });
    const preset = treeItem(view, PRESET);
    await preset.waitFor({ timeout: 30_000 });
    expect(await preset.locator('.label-description').textContent()).toBe('The platform dev machine image');
    await vsc.screenshot('images-view-preset');

    await fromContextMenu(view, PRESET, 'Copy Reference');
    await notification(vsc.page, `Copied ${PRESET}`).waitFor({ timeout: 10_000 });

    // The view's title action, as a user who was given a token does.
    await view.hover();
    await view.locator('.pane-header .actions .action-label[aria-label^="Add Shared Image"]').click();
    await answerInput(vsc.page, 'aiplat-img-not-a-real-token');
    // A toast may be held back while others show (it happened once in CI); the notifications
    // center lists every notification.
    await vsc.runCommand('Notifications: Show Notifications');
    await vsc.page
      .locator('.notifications-center .notification-list-item', {
        hasText: /The image was not added\. Not found: no image is shared with this token/,
      })
      .waitFor({ timeout: 10_000 });
    await vsc.screenshot('images-redeem-refused');
    await vsc.runCommand('Notifications: Hide Notifications');
  });

  it("offers Save Environment as Image… on a running dev machine, and shows the server's reason when it cannot", async () => {
    // The backend's default dev machine runs as processes on the server, not in a container.
    const view = await vsc.openView('Dev Machines');
    await treeItem(view, 'workspace').waitFor({ timeout: 30_000 });
    await fromContextMenu(view, 'workspace', 'Save Environment as Image…');
    const input = vsc.page.locator('.quick-input-widget input.input');
    await expect.poll(() => input.inputValue(), { timeout: 10_000 }).toBe('workspace');
    await answerInput(vsc.page, 'e2e/workspace');
    await expect.poll(() => input.inputValue()).toBe('v1');
    await answerInput(vsc.page, 'v1');
    await answerInput(vsc.page, 'from the e2e');
    await notification(vsc.page, /^workspace \(dm-[a-z0-9]+\) cannot be saved as an image: .+/).waitFor({
      timeout: 30_000,
    });
    await vsc.screenshot('images-save-refused');
  });
});
