import { describe, expect, it, vi } from 'vitest';
import type { DevMachineNode } from '../devmachines/devMachinesTreeProvider.js';
import { useActivatedExtension, type ActivatedExtension } from '../test/activateAgainst.js';
import { commands, fake } from '../test/vscodeFake.js';
import { clockTime } from '@aiplat/api';
import { CommandIds } from './commandIds.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const live = useActivatedExtension();

async function machineNodes(extension: ActivatedExtension): Promise<DevMachineNode[]> {
  return (await extension.devMachinesTree.getChildren()).filter((node) => node.kind === 'machine');
}

/** Waits until the Dev Machines view shows the dev machine named `name` in `state`. */
async function shownIn(extension: ActivatedExtension, name: string, state: string): Promise<DevMachineNode> {
  let found: DevMachineNode | undefined;
  // Starting JupyterLab takes seconds, longer on a loaded machine.
  await vi.waitFor(
    async () => {
      found = (await machineNodes(extension)).find(
        (node) => node.kind === 'machine' && node.machine.spec.name === name,
      );
      expect(found?.kind === 'machine' ? found.machine.state : undefined).toBe(state);
    },
    { timeout: 120_000, interval: 100 },
  );
  return found!;
}

describe('dev machine commands against the real backend', () => {
  it('creates one with the guided flow (an idle policy too), opens JupyterLab signed in, says why it is not idle, snoozes its auto-stop, stops it and deletes it after asking', async () => {
    const extension = live.extension;
    fake.quickPickAnswers.push('JupyterLab', 'none', '5', 'Busy notebook kernels + Open terminals', 'No');
    fake.inputBoxAnswers.push('lab-box', '0.5', '1Gi', '', 'default', 'home', '2', '60', '', '');
    await commands.executeCommand(CommandIds.createDevMachine);
    expect(fake.inputBoxes.map((box) => box.prompt)).toContain('Folder the IDEs open, relative to /work');

    const running = await shownIn(extension, 'lab-box', 'Running');
    if (running.kind !== 'machine') throw new Error('not a dev machine item');
    const item = extension.devMachinesTree.getTreeItem(running);
    expect(item.label).toBe('lab-box');
    expect(running.machine.spec.autoStop).toEqual({ afterHours: 2 });
    expect(running.machine.spec.idlePolicy).toMatchObject({
      forMinutes: 60,
      thresholds: {},
      activity: { kernels: true, terminals: true, codeServer: false, jobs: false },
    });
    const autoStopAt = Date.parse(running.machine.autoStopAt ?? '');
    expect(autoStopAt).toBe(Date.parse(running.machine.startedAt ?? '') + 2 * 3_600_000);
    expect(item.description).toBe(`Running · stops at ${clockTime(autoStopAt)}`);
    expect(item.contextValue).toBe('aiplat.devMachine.running.autoStop');
    const children = await extension.devMachinesTree.getChildren(running);
    expect(
      children
        .filter((child) => child.kind === 'open')
        .map((child) => extension.devMachinesTree.getTreeItem(child).label),
    ).toEqual(['Open JupyterLab']);
    expect(children.some((child) => child.kind === 'event' && child.event.type === 'running')).toBe(true);

    // Open: a one-time login link of this server that signs the browser in and leads to the IDE.
    await commands.executeCommand(CommandIds.openDevMachineJupyterLab, running.machine.id);
    expect(fake.openedExternal).toHaveLength(1);
    const opened = new URL(fake.openedExternal[0]!);
    expect(opened.origin).toBe(new URL(live.backend.url).origin);
    const login = await fetch(opened, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(`/devmachines/${running.machine.id}/lab/`);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly/i);

    // Why Not Idle: a fresh look, each signal under the verdict.
    await commands.executeCommand(CommandIds.whyNotIdleDevMachine, running);
    const why = fake.quickPicks.at(-1);
    expect(why?.title).toMatch(/^Why not idle: lab-box \(dm-[a-z0-9]+\)$/);
    expect(why?.placeHolder).toMatch(/^(Kept up by: |Idle|Not looked at yet|Not idle)/);
    expect(why?.labels).toEqual(expect.arrayContaining([expect.stringMatching(/^\$\([a-z-]+\) Kernels$/)]));

    // Snooze: an hour later, in the view at once.
    await commands.executeCommand(CommandIds.snoozeDevMachineAutoStop, running);
    const [snoozed] = await machineNodes(extension);
    expect(snoozed?.kind === 'machine' ? Date.parse(snoozed.machine.autoStopAt ?? '') : 0).toBe(autoStopAt + 3_600_000);
    expect(fake.messages.at(-1)?.text).toMatch(/^lab-box \(dm-[a-z0-9]+\) now stops by itself at \d\d:\d\d\.$/);

    await commands.executeCommand(CommandIds.stopDevMachine, running);
    const stopped = await shownIn(extension, 'lab-box', 'Stopped');
    expect(extension.devMachinesTree.getTreeItem(stopped).contextValue).toBe('aiplat.devMachine.stopped');
    expect(extension.devMachinesTree.getTreeItem(stopped).description).toBe('Stopped');

    // Nothing to put off: the server's message (409), as a warning.
    await commands.executeCommand(CommandIds.snoozeDevMachineAutoStop, running.machine.id);
    expect(fake.messages.at(-1)).toMatchObject({ severity: 'warning', text: expect.stringMatching(/only a running/) });

    fake.messageAnswers.push('Delete');
    await commands.executeCommand(CommandIds.deleteDevMachine, stopped);
    expect(fake.messages.at(-1)?.text).toMatch(/^Delete lab-box \(dm-[a-z0-9]+\)\? Its files under \/work stay\.$/);
    expect(await machineNodes(extension)).toEqual([]);
    await expect(live.backend.client().listDevMachines()).resolves.toEqual({ devMachines: [] });
  });
});
