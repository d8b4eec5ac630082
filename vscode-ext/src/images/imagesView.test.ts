import { describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { useActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake } from '../test/vscodeFake.js';
import { waitUntil } from '../test/wait.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const PRESET = 'registry.example.com/aiplat/devbox:1';

const live = useActivatedExtension(undefined, {
  extraConfig: `images: { presets: [{ ref: ${JSON.stringify(PRESET)}, description: 'The platform dev machine image' }] }\n`,
});

describe('the Images view and image commands against the real backend', () => {
  it('lists the configured preset, copies its reference, and offers it in Start Training', async () => {
    const tree = live.extension.imagesTree;
    await waitUntil(tree.onDidChangeTreeData, () => tree.getChildren().length > 0, 'images listed');
    const [group] = tree.getChildren();
    expect(tree.getTreeItem(group!)).toMatchObject({ label: 'Presets', description: '1' });
    const [node] = tree.getChildren(group);
    expect(tree.getTreeItem(node!)).toMatchObject({
      label: PRESET,
      description: 'The platform dev machine image',
      contextValue: 'aiplat.image.preset',
    });

    await commands.executeCommand(CommandIds.copyImageReference, node);
    expect(fake.clipboard).toBe(PRESET);

    // Start Training's image step is the pick; stopped at the next step, nothing is submitted.
    fake.quickPickAnswers.push('ddp', 'none', PRESET);
    fake.inputBoxAnswers.push('job', 'python train.py', '1', '1', '2Gi', undefined);
    await commands.executeCommand(CommandIds.startTraining);
    expect(fake.quickPicks.find((pick) => pick.labels.includes(PRESET))?.labels).toEqual([
      'No image',
      PRESET,
      'Enter another image reference…',
    ]);
    expect((await live.backend.client().listJobs({ query: {} })).jobs).toEqual([]);
  });

  it("shows the server's sentence for a refused token, a preset's share, and a stopped dev machine's save", async () => {
    fake.inputBoxAnswers.push('aiplat-img-not-a-real-token');
    await commands.executeCommand(CommandIds.addSharedImage);
    expect(fake.messages.at(-1)).toMatchObject({
      severity: 'error',
      text: 'The image was not added. Not found: no image is shared with this token: check it was copied whole, or ask for a new one',
    });

    const { images } = await live.backend.client().listImages();
    fake.inputBoxAnswers.push('');
    await commands.executeCommand(CommandIds.shareImage, images[0]!.id);
    expect(fake.messages.at(-1)?.text).toBe('presets come from the platform configuration: an operator changes them');

    const machine = await live.backend.client().createDevMachine({
      body: { spec: { name: 'idle-box', ides: ['jupyterlab'], resources: { cpu: 0.5, memory: '1Gi' } }, start: false },
    });
    fake.inputBoxAnswers.push('alice/idle-box', 'v1', '');
    await commands.executeCommand(CommandIds.saveDevMachineAsImage, machine.id);
    expect(fake.inputBoxes.at(-3)?.value).toBe('idle-box');
    // Not running (created without starting): the server's 409 says why.
    expect(fake.messages.at(-1)?.severity).toBe('error');
    expect(fake.messages.at(-1)?.text).toMatch(
      new RegExp(
        `^idle-box \\(${machine.id}\\) cannot be saved as an image: idle-box is \\w+: start it to save it as an image$`,
      ),
    );
  });
});
