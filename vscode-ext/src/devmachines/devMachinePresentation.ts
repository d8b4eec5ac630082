import type { DevMachine, DevMachineIde, DevMachineState } from '@aiplat/api';
import * as vscode from 'vscode';
import { clockTime } from '@aiplat/api';

/** A dev machine state for people, translated. */
export function devMachineStateLabel(state: DevMachineState): string {
  switch (state) {
    case 'Creating':
      return vscode.l10n.t('Creating');
    case 'Starting':
      return vscode.l10n.t('Starting');
    case 'Running':
      return vscode.l10n.t('Running');
    case 'Stopping':
      return vscode.l10n.t('Stopping');
    case 'Stopped':
      return vscode.l10n.t('Stopped');
    case 'Failed':
      return vscode.l10n.t('Failed');
  }
}

/** A codicon for each state; a Starting one that waits for resources shows a clock. */
export function devMachineIcon(machine: Pick<DevMachine, 'state' | 'waitReason'>): string {
  switch (machine.state) {
    case 'Creating':
    case 'Starting':
      return machine.waitReason ? 'clock' : 'loading~spin';
    case 'Running':
      return 'vm-running';
    case 'Stopping':
      return 'debug-stop';
    case 'Stopped':
      return 'vm-outline';
    case 'Failed':
      return 'error';
  }
}

/** The `contextValue` of a dev machine item: which actions its menus offer. */
export function devMachineContextValue(machine: Pick<DevMachine, 'state' | 'autoStopAt'>): string {
  switch (machine.state) {
    case 'Running':
      // One that stops by itself also offers Snooze Auto-Stop.
      return machine.autoStopAt ? 'aiplat.devMachine.running.autoStop' : 'aiplat.devMachine.running';
    case 'Creating':
    case 'Starting':
      return 'aiplat.devMachine.starting';
    case 'Stopping':
      return 'aiplat.devMachine.stopping';
    case 'Stopped':
    case 'Failed':
      return 'aiplat.devMachine.stopped';
  }
}

/** What an item says beside the name: the state, why it waits or failed, when it stops by itself. */
export function devMachineDescription(machine: DevMachine): string {
  const why = machine.state === 'Failed' ? machine.failure?.message : machine.waitReason?.message;
  const stops =
    machine.state === 'Running' && machine.autoStopAt
      ? vscode.l10n.t('stops at {0}', clockTime(machine.autoStopAt))
      : undefined;
  return [devMachineStateLabel(machine.state), why, stops].filter(Boolean).join(' · ');
}

/** The resources in one line: "2 CPU · 4Gi · 1 nvidia". */
export function resourcesText(machine: DevMachine): string {
  const { cpu, memory, accelerator } = machine.spec.resources;
  const parts = [vscode.l10n.t('{0} CPU', cpu), memory];
  if (accelerator.type !== 'none' && accelerator.count > 0) parts.push(`${accelerator.count} ${accelerator.type}`);
  return parts.join(' · ');
}

/** The IDE's name as people know it in VS Code. */
export function ideName(ide: DevMachineIde): string {
  return ide === 'jupyterlab' ? 'JupyterLab' : vscode.l10n.t('VS Code (code-server)');
}

/** One line naming a dev machine, for quick picks and messages. */
export function devMachineTitle(machine: Pick<DevMachine, 'id' | 'spec'>): string {
  return `${machine.spec.name} (${machine.id})`;
}
