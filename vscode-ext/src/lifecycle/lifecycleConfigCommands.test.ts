import { encodeLifecycleScript } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import type { DevMachineNode } from '../devmachines/devMachinesTreeProvider.js';
import { useActivatedExtension, type ActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake } from '../test/vscodeFake.js';
import type { LifecycleFileSystem } from './lifecycleFileSystem.js';
import { scriptUri } from './lifecycleFileSystem.js';
import { LIFECYCLE_SCHEME } from './lifecycleScripts.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension();

async function machineNamed(extension: ActivatedExtension, name: string, state: string): Promise<DevMachineNode> {
  let found: DevMachineNode | undefined;
  await vi.waitFor(
    async () => {
      found = (await extension.devMachinesTree.getChildren()).find(
        (node) => node.kind === 'machine' && node.machine.spec.name === name,
      );
      expect(found?.kind === 'machine' ? found.machine.state : undefined).toBe(state);
    },
    { timeout: 120_000, interval: 100 },
  );
  return found!;
}

describe('lifecycle configs against the real backend', () => {
  it('creates one, saves its script as a file, runs it on a dev machine, shows its log, starts in safe mode', async () => {
    const { extension, backend } = live;
    const api = backend.client();

    // New Lifecycle Config…: a name, then both scripts open as documents.
    fake.inputBoxAnswers.push('setup');
    await commands.executeCommand(CommandIds.newLifecycleConfig);
    expect(fake.shownDocuments).toEqual([
      'aiplat-lifecycle:/setup/on-create.sh',
      'aiplat-lifecycle:/setup/on-start.sh',
    ]);
    const fs = fake.fileSystemProviders.get(LIFECYCLE_SCHEME) as LifecycleFileSystem;
    await fs.writeFile(scriptUri('setup', 'onStart'), new TextEncoder().encode('echo hello-from-on-start\n'));
    const [stored] = (await api.listLifecycleConfigs()).lifecycleConfigs;
    expect(stored?.spec).toEqual({ name: 'setup', onStart: encodeLifecycleScript('echo hello-from-on-start\n') });

    // The view's section lists it, with its two scripts.
    const roots = await extension.devMachinesTree.getChildren();
    const section = roots.find((node) => node.kind === 'lifecycleConfigs')!;
    const [config] = await extension.devMachinesTree.getChildren(section);
    expect(config && extension.devMachinesTree.getTreeItem(config).label).toBe('setup');
    const scripts = await extension.devMachinesTree.getChildren(config);
    expect(scripts.map((node) => extension.devMachinesTree.getTreeItem(node).label)).toEqual([
      'on-create.sh',
      'on-start.sh',
    ]);

    // Create Dev Machine offers it at its last step.
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'setup', 'No');
    fake.inputBoxAnswers.push('lc-box', '0.5', '1Gi', '', 'default', 'home', '', '', '');
    await commands.executeCommand(CommandIds.createDevMachine);
    const running = await machineNamed(extension, 'lc-box', 'Running');
    if (running.kind !== 'machine') throw new Error('not a dev machine item');
    expect(running.machine.spec.lifecycleConfig).toBe('setup');

    // Show Lifecycle Log follows the script's output.
    await commands.executeCommand(CommandIds.showDevMachineLifecycleLog, running.machine.id);
    const channel = fake.outputChannels.find((c) => c.name === 'AI Platform: lc-box · lifecycle scripts');
    await vi.waitFor(() => expect(channel?.text).toContain('hello-from-on-start'), { timeout: 10_000 });

    // Used: deleting it is refused with the server's reason.
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteLifecycleConfig, 'setup');
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'error', text: expect.stringMatching(/used by lc-box/) });

    // Start in Safe Mode skips the scripts this once.
    await commands.executeCommand(CommandIds.stopDevMachine, running.machine.id);
    await machineNamed(extension, 'lc-box', 'Stopped');
    await commands.executeCommand(CommandIds.startDevMachineSafeMode, running.machine.id);
    await machineNamed(extension, 'lc-box', 'Running');
    const { events } = await api.devMachineEvents({ params: { id: running.machine.id } });
    expect(events.map((event) => event.type)).toContain('scripts-skipped');

    await commands.executeCommand(CommandIds.stopDevMachine, running.machine.id);
    await machineNamed(extension, 'lc-box', 'Stopped');
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteDevMachine, running.machine.id);
    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteLifecycleConfig, 'setup');
    await expect(api.listLifecycleConfigs()).resolves.toEqual({ lifecycleConfigs: [] });
  });
});
