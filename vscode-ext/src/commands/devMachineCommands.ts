import { ApiError, type ApiClient, type DevMachine, type DevMachineIde, type DevMachineSpec } from '@aiplat/api';
import * as vscode from 'vscode';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import { signedInUrl } from '../connection/loginLink.js';
import { accessToOffer } from '../devmachines/accessSteps.js';
import { askDevMachineSpec, type DevMachineDefaults } from '../devmachines/devMachineFlow.js';
import { imagesToOffer } from '../images/imagePick.js';
import { lifecycleConfigsToOffer } from '../lifecycle/lifecycleConfigPick.js';
import type { DevMachineLogChannels } from '../logs/devMachineLogChannels.js';
import { clockTime } from '@aiplat/api';
import { devMachineStateLabel, devMachineTitle, ideName } from '../devmachines/devMachinePresentation.js';
import type { DevMachinesModel } from '../devmachines/devMachinesModel.js';
import { idleSignalRows, idleVerdict } from '../devmachines/idleReport.js';
import type { DevMachineNode } from '../devmachines/devMachinesTreeProvider.js';
import { CommandIds } from './commandIds.js';
import { requireClient } from './requireClient.js';

export interface DevMachineCommandDeps {
  connection: ConnectionService;
  devMachines: DevMachinesModel;
  /** The lifecycle scripts' output channels (Show Lifecycle Log). */
  lifecycleLogs: DevMachineLogChannels;
  /** Opens a URL in the user's browser (`vscode.env.openExternal`; a test records it). */
  openExternal?: (uri: vscode.Uri) => Thenable<boolean>;
}

/** What dev machine commands accept: a view item, a dev machine id, or nothing (asks). */
export type DevMachineArgument = DevMachineNode | string | undefined;

const canStart = (machine: DevMachine) => machine.state === 'Stopped' || machine.state === 'Failed';
const canStop = (machine: DevMachine) => ['Creating', 'Starting', 'Running'].includes(machine.state);
const isRunning = (machine: DevMachine) => machine.state === 'Running';
const canSnooze = (machine: DevMachine) => machine.state === 'Running' && machine.autoStopAt !== undefined;

/**
 * Registers the Dev machines commands: create, start (also in safe mode), stop, copy, delete, open
 * either IDE, show the lifecycle scripts' log, snooze an auto-stop, say why a machine is not idle.
 */
export function registerDevMachineCommands(deps: DevMachineCommandDeps): vscode.Disposable[] {
  const withMachine =
    (run: (client: ApiClient, machine: DevMachine) => Promise<unknown>, filter?: (machine: DevMachine) => boolean) =>
    async (arg?: DevMachineArgument) => {
      const client = await requireClient(deps.connection);
      if (!client) return;
      try {
        const machine = await resolveDevMachine(client, deps.devMachines, arg, filter);
        if (machine) await run(client, machine);
      } catch (error) {
        await vscode.window.showErrorMessage(describeError(error));
      }
    };
  const create = async (client: ApiClient, title: string, defaults?: DevMachineDefaults) => {
    const [images, lifecycleConfigs, access] = await Promise.all([
      imagesToOffer(client),
      lifecycleConfigsToOffer(client),
      accessToOffer(client),
    ]);
    const spec = await askDevMachineSpec(title, defaults, images, lifecycleConfigs, access);
    if (spec) await createAndStart(deps, client, spec);
  };
  const start = (safeMode: boolean) =>
    withMachine(async (client, machine) => {
      deps.devMachines.apply({
        change: 'updated',
        devMachine: await client.startDevMachine({ params: { id: machine.id }, body: { safeMode } }),
      });
    }, canStart);
  const open = (ide: DevMachineIde) =>
    withMachine(async (client, machine) => {
      await openIde(deps, client, machine, ide);
    });

  return [
    vscode.commands.registerCommand(CommandIds.refreshDevMachines, () => deps.devMachines.refresh()),
    vscode.commands.registerCommand(CommandIds.createDevMachine, async () => {
      const client = await requireClient(deps.connection);
      if (client) await create(client, vscode.l10n.t('Create Dev Machine'));
    }),
    vscode.commands.registerCommand(CommandIds.startDevMachine, start(false)),
    // Without the lifecycle scripts, this once: to repair a machine whose script fails its start.
    vscode.commands.registerCommand(CommandIds.startDevMachineSafeMode, start(true)),
    vscode.commands.registerCommand(
      CommandIds.showDevMachineLifecycleLog,
      withMachine(async (client, machine) => {
        await deps.lifecycleLogs.show(client, machine);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.stopDevMachine,
      withMachine(async (client, machine) => {
        deps.devMachines.apply({
          change: 'updated',
          devMachine: await client.stopDevMachine({ params: { id: machine.id }, body: {} }),
        });
      }, canStop),
    ),
    vscode.commands.registerCommand(
      CommandIds.copyDevMachine,
      withMachine(async (client, machine) => {
        const { spec } = await client.copyDevMachine({ params: { id: machine.id } });
        await create(client, vscode.l10n.t('Copy of {0}', machine.spec.name), spec);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteDevMachine,
      withMachine(async (client, machine) => {
        const confirm = vscode.l10n.t('Delete');
        const answer = await vscode.window.showWarningMessage(
          vscode.l10n.t('Delete {0}? Its files under /work stay.', devMachineTitle(machine)),
          { modal: true },
          confirm,
        );
        if (answer !== confirm) return;
        await client.deleteDevMachine({ params: { id: machine.id } });
        deps.devMachines.apply({ change: 'deleted', id: machine.id });
      }, canStart),
    ),
    vscode.commands.registerCommand(
      CommandIds.snoozeDevMachineAutoStop,
      withMachine(async (client, machine) => {
        await snoozeAutoStop(deps, client, machine);
      }, canSnooze),
    ),
    vscode.commands.registerCommand(
      CommandIds.whyNotIdleDevMachine,
      withMachine(async (client, machine) => {
        await showWhyNotIdle(client, machine);
      }, isRunning),
    ),
    vscode.commands.registerCommand(CommandIds.openDevMachineJupyterLab, open('jupyterlab')),
    vscode.commands.registerCommand(CommandIds.openDevMachineVsCode, open('code-server')),
  ];
}

async function createAndStart(deps: DevMachineCommandDeps, client: ApiClient, spec: DevMachineSpec): Promise<void> {
  let created: DevMachine;
  try {
    created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating {0}…', spec.name) },
      () => client.createDevMachine({ body: { spec, start: true } }),
    );
  } catch (error) {
    await vscode.window.showErrorMessage(vscode.l10n.t('The dev machine was not created. {0}', describeError(error)));
    return;
  }
  deps.devMachines.apply({ change: 'updated', devMachine: created });
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Created {0}: it is {1}. Open it from the Dev Machines view once it runs.',
      devMachineTitle(created),
      devMachineStateLabel(created.state),
    ),
  );
}

/** Puts a machine's auto-stop off by an hour; the server says why not (409) when there is none to put off. */
async function snoozeAutoStop(deps: DevMachineCommandDeps, client: ApiClient, machine: DevMachine): Promise<void> {
  let snoozed: DevMachine;
  try {
    snoozed = await client.snoozeDevMachineAutoStop({ params: { id: machine.id } });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    await vscode.window.showWarningMessage(error.message);
    return;
  }
  deps.devMachines.apply({ change: 'updated', devMachine: snoozed });
  void vscode.window.showInformationMessage(
    snoozed.autoStopAt
      ? vscode.l10n.t('{0} now stops by itself at {1}.', devMachineTitle(snoozed), clockTime(snoozed.autoStopAt))
      : vscode.l10n.t('{0} no longer stops by itself.', devMachineTitle(snoozed)),
  );
}

/** Why (not) idle: a fresh look at the machine's signals, listed under the verdict. */
async function showWhyNotIdle(client: ApiClient, machine: DevMachine): Promise<void> {
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking at {0}…', machine.spec.name) },
    () => client.devMachineIdle({ params: { id: machine.id } }),
  );
  const verdict = idleVerdict(report);
  const rows = idleSignalRows(report);
  if (rows.length === 0) {
    await vscode.window.showInformationMessage(`${devMachineTitle(machine)}: ${verdict}`);
    return;
  }
  await vscode.window.showQuickPick(rows, {
    title: vscode.l10n.t('Why not idle: {0}', devMachineTitle(machine)),
    placeHolder: verdict,
    matchOnDescription: true,
  });
}

/** Opens an IDE of a running dev machine in the browser, signed in (a one-time login link). */
async function openIde(
  deps: DevMachineCommandDeps,
  client: ApiClient,
  machine: DevMachine,
  ide: DevMachineIde,
): Promise<void> {
  const next = machine.urls[ide];
  if (!next) {
    await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} does not run {1}.', devMachineTitle(machine), ideName(ide)),
    );
    return;
  }
  if (machine.state !== 'Running') {
    await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} is {1}: open it once it runs.', devMachineTitle(machine), devMachineStateLabel(machine.state)),
    );
    return;
  }
  const url = await signedInUrl(client, deps.connection.serverUrl, next);
  await (deps.openExternal ?? vscode.env.openExternal)(vscode.Uri.parse(url));
}

/** The dev machine a command is about: the item, the id given, or one the user picks among `filter`. */
export async function resolveDevMachine(
  client: ApiClient,
  model: DevMachinesModel,
  arg: DevMachineArgument,
  filter: (machine: DevMachine) => boolean = () => true,
): Promise<DevMachine | undefined> {
  if (typeof arg === 'object' && 'machine' in arg) return arg.machine;
  if (typeof arg === 'string') return model.find(arg) ?? (await client.getDevMachine({ params: { id: arg } }));
  if (!model.loaded) await model.refresh();
  const candidates = model.items.filter(filter);
  if (candidates.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No dev machine to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((machine) => ({
      label: devMachineTitle(machine),
      description: devMachineStateLabel(machine.state),
      machine,
    })),
    { title: vscode.l10n.t('Choose a dev machine'), matchOnDescription: true },
  );
  return chosen?.machine;
}
