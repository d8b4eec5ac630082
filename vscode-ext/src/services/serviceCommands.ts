import type { ApiClient, Service, ServiceSpec } from '@aiplat/api';
import * as vscode from 'vscode';
import { imagesToOffer } from '../images/imagePick.js';
import { CommandIds } from '../commands/commandIds.js';
import { requireClient } from '../commands/requireClient.js';
import type { ConnectionService } from '../connection/connectionService.js';
import { describeError } from '../connection/errorMessage.js';
import type { WorkspaceNode } from '../workspace/workspaceTreeProvider.js';
import {
  askServiceSpec,
  problemsByStep,
  serviceStepsOfIssue,
  type FlowRetry,
  type ServiceDefaults,
  type ServiceStepId,
} from './serviceFlow.js';
import type { ServiceLogChannels } from './serviceLogChannels.js';
import {
  replicaStateLabel,
  serviceFullUrl,
  serviceIsActive,
  serviceIsIdle,
  serviceStateLabel,
} from './servicePresentation.js';
import type { ServicesModel } from './servicesModel.js';
import type { ReplicaTarget, ServiceNode } from './servicesTreeProvider.js';

export interface ServiceCommandDeps {
  connection: ConnectionService;
  services: ServicesModel;
  logs: ServiceLogChannels;
  /** Opens a service's page (the service webview). */
  openDetails: (name: string) => Thenable<unknown> | Promise<unknown>;
}

/** What service commands accept: a view item, a service name, a replica, or nothing (asks). */
export type ServiceArgument = ServiceNode | ReplicaTarget | string | undefined;

/** What Deploy as Service accepts: a Workspace view item (a folder or a catalog model) or a path. */
export type ModelArgument = WorkspaceNode | string | undefined;

/** The /work-relative folder of a Workspace view item or path, if it is one. */
export function modelFolderOf(arg: ModelArgument): string | undefined {
  if (typeof arg === 'string') return arg.replace(/^\/work\//, '').replace(/^\/+|\/+$/g, '') || undefined;
  if (!arg) return undefined;
  switch (arg.kind) {
    case 'catalogItem':
      return arg.item.path;
    case 'entry':
      return arg.entry.type === 'directory' ? arg.entry.path : undefined;
    case 'root':
      return arg.root.name;
    default:
      return undefined;
  }
}

/** Registers the Services commands: deploy, open, start, stop, restart, delete, copy URL, logs. */
export function registerServiceCommands(deps: ServiceCommandDeps): vscode.Disposable[] {
  const withService = (
    run: (client: ApiClient, service: Service, arg: ServiceArgument) => Promise<unknown>,
    filter?: (s: Service) => boolean,
  ) => serviceCommand(deps, run, filter);
  const updated = (service: Service) => deps.services.apply({ change: 'updated', service });
  const deploy = async (defaults: ServiceDefaults) => {
    const client = await requireClient(deps.connection);
    if (!client) return;
    let retry: FlowRetry<ServiceStepId> | undefined;
    const images = await imagesToOffer(client);
    for (;;) {
      const asked = await askServiceSpec(vscode.l10n.t('Deploy Service'), defaults, retry, images);
      if (!asked) return;
      const refused = await deployService(deps, client, asked.spec);
      if (!refused) return;
      // The server refused the spec: back to the steps its issues name, with the answers kept.
      const placed = problemsByStep(refused, serviceStepsOfIssue, (id) => id in asked.answers);
      if (!placed || Object.keys(placed.problems).length === 0) return;
      retry = { answers: asked.answers, problems: placed.problems };
    }
  };

  return [
    vscode.commands.registerCommand(CommandIds.refreshServices, () => deps.services.refresh()),
    vscode.commands.registerCommand(CommandIds.deployService, (defaults?: ServiceDefaults) =>
      deploy(typeof defaults === 'object' && defaults !== null && !('kind' in defaults) ? defaults : {}),
    ),
    vscode.commands.registerCommand(CommandIds.deployModelAsService, async (arg?: ModelArgument) => {
      let model = modelFolderOf(arg);
      if (!model) {
        model = await vscode.window.showInputBox({
          title: vscode.l10n.t('Deploy as Service'),
          prompt: vscode.l10n.t('Model folder, relative to /work'),
          value: 'mount/models/',
          ignoreFocusOut: true,
        });
        if (!model) return;
      }
      await deploy({ model });
    }),
    vscode.commands.registerCommand(
      CommandIds.openService,
      withService(async (_client, service) => {
        await deps.openDetails(service.name);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.startService,
      withService(async (client, service) => {
        updated(await client.startService({ params: { name: service.name } }));
      }, serviceIsIdle),
    ),
    vscode.commands.registerCommand(
      CommandIds.stopService,
      withService(async (client, service) => {
        const question = vscode.l10n.t('Stop {0}? Its callers get 503 until it starts again.', service.name);
        if (!(await confirmed(question, vscode.l10n.t('Stop')))) return;
        updated(await client.stopService({ params: { name: service.name }, body: {} }));
      }, serviceIsActive),
    ),
    vscode.commands.registerCommand(
      CommandIds.restartService,
      withService(
        async (client, service) => {
          updated(await client.restartService({ params: { name: service.name } }));
        },
        (service) => service.state === 'Running',
      ),
    ),
    vscode.commands.registerCommand(
      CommandIds.deleteService,
      withService(async (client, service) => {
        const question = vscode.l10n.t(
          'Delete {0}? Its versions, tokens and logs go with it; its model folder stays.',
          service.name,
        );
        if (!(await confirmed(question, vscode.l10n.t('Delete')))) return;
        await client.deleteService({ params: { name: service.name } });
        deps.logs.close(service.name);
        deps.services.apply({ change: 'deleted', name: service.name });
      }, serviceIsIdle),
    ),
    vscode.commands.registerCommand(
      CommandIds.copyServiceUrl,
      withService(async (_client, service) => {
        const url = serviceFullUrl(deps.connection.serverUrl, service);
        await vscode.env.clipboard.writeText(url);
        void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0}', url));
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.showServiceLogs,
      withService(async (client, service, arg) => {
        const target = isReplicaTarget(arg)
          ? arg
          : typeof arg === 'object' && arg.kind === 'replica'
            ? { name: service.name, version: arg.replica.version, replica: arg.replica.index }
            : await pickReplica(service);
        if (target) await deps.logs.show(client, service, target.replica, target.version);
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.searchServiceLogs,
      withService(async (client, service, arg) => {
        // A replica item searches its own lines; a service, the serving version's replicas.
        const replica = isReplicaTarget(arg)
          ? { version: arg.version, replica: arg.replica }
          : typeof arg === 'object' && arg.kind === 'replica'
            ? { version: arg.replica.version, replica: arg.replica.index }
            : {};
        const text = await vscode.window.showInputBox({
          title: vscode.l10n.t('Search the logs of {0}', service.name),
          prompt: vscode.l10n.t('Text the lines must contain (case-insensitive)'),
        });
        if (!text) return;
        const { matches } = await deps.logs.search(client, service, text, replica);
        if (matches === 0)
          await vscode.window.showInformationMessage(vscode.l10n.t('No log line contains "{0}".', text));
      }),
    ),
  ];
}

/**
 * A command on one service: the view item's or named one, or one chosen among those `filter` takes;
 * a failure is shown as a message.
 */
export function serviceCommand(
  deps: Pick<ServiceCommandDeps, 'connection' | 'services'>,
  run: (client: ApiClient, service: Service, arg: ServiceArgument) => Promise<unknown>,
  filter?: (s: Service) => boolean,
) {
  return async (arg?: ServiceArgument): Promise<void> => {
    const client = await requireClient(deps.connection);
    if (!client) return;
    try {
      const service = await resolveService(client, deps.services, arg, filter);
      if (service) await run(client, service, arg);
    } catch (error) {
      await vscode.window.showErrorMessage(describeError(error));
    }
  };
}

/**
 * Deploys a spec; the error when the server refused it. The refusal's message is not awaited: the
 * steps reopen at once, not once the user has dismissed it.
 */
async function deployService(deps: ServiceCommandDeps, client: ApiClient, spec: ServiceSpec): Promise<unknown> {
  let created: Service;
  try {
    created = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Deploying {0}…', spec.name) },
      () => client.deployService({ body: { spec } }),
    );
  } catch (error) {
    void vscode.window.showErrorMessage(vscode.l10n.t('The service was not deployed. {0}', describeError(error)));
    return error;
  }
  deps.services.apply({ change: 'updated', service: created });
  const open = vscode.l10n.t('Open Service');
  const answer = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      '{0} is {1}: it will answer at {2}.',
      created.name,
      serviceStateLabel(created.state),
      serviceFullUrl(deps.connection.serverUrl, created),
    ),
    open,
  );
  if (answer === open) await deps.openDetails(created.name);
  return undefined;
}

/** Asks in a modal warning; true when the user chose `yes`. */
async function confirmed(question: string, yes: string): Promise<boolean> {
  return (await vscode.window.showWarningMessage(question, { modal: true }, yes)) === yes;
}

function isReplicaTarget(arg: ServiceArgument): arg is ReplicaTarget {
  return typeof arg === 'object' && !('kind' in arg) && typeof arg.name === 'string' && typeof arg.replica === 'number';
}

/** The serving version's replica whose logs to show: asked when there are several. */
async function pickReplica(service: Service): Promise<ReplicaTarget | undefined> {
  const serving = service.replicas.filter((replica) => replica.version === service.version);
  if (serving.length <= 1) return { name: service.name, version: service.version, replica: serving[0]?.index ?? 0 };
  const chosen = await vscode.window.showQuickPick(
    serving.map((replica) => ({
      label: vscode.l10n.t('Replica {0} (v{1})', replica.index, replica.version),
      description: replicaStateLabel(replica.state),
      replica,
    })),
    { title: vscode.l10n.t('Whose logs?') },
  );
  return chosen && { name: service.name, version: chosen.replica.version, replica: chosen.replica.index };
}

function nameOf(arg: ServiceArgument): string | undefined {
  if (typeof arg === 'string') return arg;
  if (!arg) return undefined;
  if (!('kind' in arg)) return arg.name;
  switch (arg.kind) {
    case 'service':
    case 'group':
    case 'version':
    case 'replica':
      return arg.service.name;
    default:
      return undefined;
  }
}

async function resolveService(
  client: ApiClient,
  model: ServicesModel,
  arg: ServiceArgument,
  filter: (service: Service) => boolean = () => true,
): Promise<Service | undefined> {
  const name = nameOf(arg);
  if (name) return model.find(name) ?? (await client.getService({ params: { name } }));
  if (!model.loaded) await model.refresh();
  const candidates = model.items.filter(filter);
  if (candidates.length === 0) {
    await vscode.window.showInformationMessage(vscode.l10n.t('No service to choose from.'));
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(
    candidates.map((service) => ({ label: service.name, description: serviceStateLabel(service.state), service })),
    { title: vscode.l10n.t('Choose a service'), matchOnDescription: true },
  );
  return chosen?.service;
}
