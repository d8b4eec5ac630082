import type { ApiClient, DevMachine, DevMachineEvent, DevMachineIde } from '@aiplat/api';
import * as vscode from 'vscode';
import { ModelTreeProvider } from '../views/modelTreeProvider.js';
import { CommandIds } from '../commands/commandIds.js';
import { describeError } from '../connection/errorMessage.js';
import {
  devMachineContextValue,
  devMachineDescription,
  devMachineIcon,
  devMachineStateLabel,
  ideName,
  resourcesText,
} from './devMachinePresentation.js';
import { liveListRoots } from '../model/liveListModel.js';
import {
  lifecycleConfigChildren,
  lifecycleConfigItem,
  type LifecycleConfigNode,
} from '../lifecycle/lifecycleConfigNodes.js';
import type { LifecycleConfigsModel } from '../lifecycle/lifecycleConfigsModel.js';
import type { DevMachinesModel } from './devMachinesModel.js';
import { accessItem, accessNodes, sshSummary, type AccessNode } from './accessNodes.js';

export type DevMachineNode =
  | { kind: 'machine'; machine: DevMachine }
  | { kind: 'open'; machine: DevMachine; ide: DevMachineIde }
  | { kind: 'event'; event: DevMachineEvent }
  | { kind: 'message'; text: string }
  | AccessNode
  | LifecycleConfigNode;

const isLifecycleNode = (node: DevMachineNode): node is LifecycleConfigNode => node.kind.startsWith('lifecycle');

/** The icon of a dev machine event: failures and scripts stand out. */
function eventIcon(type: DevMachineEvent['type']): string {
  if (type === 'failed' || type === 'script-failed') return 'error';
  if (type.startsWith('script')) return 'terminal';
  return 'history';
}

const EVENTS_SHOWN = 10;

/**
 * The Dev machines view: each of the user's dev machines with its state (live from the
 * `devmachines` topic); expanded, a way into each IDE while it runs, its SSH command and the
 * clones of its repositories, and its latest events. Below
 * them, the Lifecycle Configs section: each config's scripts, opened as files.
 */
export class DevMachinesTreeProvider extends ModelTreeProvider<DevMachineNode> {
  constructor(
    private readonly model: DevMachinesModel,
    private readonly client: () => ApiClient | undefined,
    private readonly lifecycleConfigs?: LifecycleConfigsModel,
  ) {
    super((listener) => {
      const watches = [model.onDidChange(listener), lifecycleConfigs?.onDidChange(listener)];
      return { dispose: () => watches.forEach((watch) => watch?.dispose()) };
    });
  }

  async getChildren(node?: DevMachineNode): Promise<DevMachineNode[]> {
    if (!node) {
      const machines = liveListRoots<DevMachine, DevMachineNode>(this.model, {
        item: (machine) => ({ kind: 'machine', machine }),
        message: (text) => ({ kind: 'message', text }),
        describe: describeError,
        empty: vscode.l10n.t('No dev machines yet'),
      });
      // The section shows once the view has something (the machines or why not) to show above it.
      return this.lifecycleConfigs && machines.length > 0 ? [...machines, { kind: 'lifecycleConfigs' }] : machines;
    }
    if (isLifecycleNode(node)) return this.lifecycleConfigs ? lifecycleConfigChildren(this.lifecycleConfigs, node) : [];
    if (node.kind !== 'machine') return [];
    const { machine } = node;
    const opens: DevMachineNode[] = [
      ...(machine.state === 'Running'
        ? machine.spec.ides.map((ide): DevMachineNode => ({ kind: 'open', machine, ide }))
        : []),
      ...accessNodes(machine),
    ];
    const client = this.client();
    if (!client) return opens;
    try {
      const { events } = await client.devMachineEvents({ params: { id: machine.id } });
      return [
        ...opens,
        ...events
          .slice(-EVENTS_SHOWN)
          .reverse()
          .map((event): DevMachineNode => ({ kind: 'event', event })),
      ];
    } catch (error) {
      return [...opens, { kind: 'message', text: describeError(error) }];
    }
  }

  getTreeItem(node: DevMachineNode): vscode.TreeItem {
    switch (node.kind) {
      case 'machine': {
        const { machine } = node;
        const item = new vscode.TreeItem(machine.spec.name, vscode.TreeItemCollapsibleState.Collapsed);
        // The state in the id: a change of state redraws the item and re-reads its children.
        item.id = `devmachine:${machine.id}:${machine.state}`;
        item.description = devMachineDescription(machine);
        item.tooltip = [
          `${machine.spec.name} (${machine.id})`,
          devMachineStateLabel(machine.state),
          resourcesText(machine),
          machine.spec.ides.map(ideName).join(', '),
          machine.waitReason?.message,
          machine.failure?.message,
          sshSummary(machine),
        ]
          .filter(Boolean)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(devMachineIcon(machine));
        item.contextValue = devMachineContextValue(machine);
        return item;
      }
      case 'open': {
        const label = node.ide === 'jupyterlab' ? vscode.l10n.t('Open JupyterLab') : vscode.l10n.t('Open VS Code');
        const item = new vscode.TreeItem(label);
        item.iconPath = new vscode.ThemeIcon('link-external');
        item.command = {
          command: node.ide === 'jupyterlab' ? CommandIds.openDevMachineJupyterLab : CommandIds.openDevMachineVsCode,
          title: label,
          arguments: [node.machine.id],
        };
        return item;
      }
      case 'event': {
        const item = new vscode.TreeItem(node.event.message);
        item.description = new Date(node.event.time).toLocaleString();
        item.iconPath = new vscode.ThemeIcon(eventIcon(node.event.type));
        item.tooltip = `${node.event.time} · ${node.event.type}\n${node.event.message}`;
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text);
      case 'ssh':
      case 'repository':
        return accessItem(node);
      default:
        return lifecycleConfigItem(node);
    }
  }
}
