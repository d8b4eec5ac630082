import type { ApiClient, Service, UpdateServiceBody } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds } from '../commands/commandIds.js';
import { imagesToOffer } from '../images/imagePick.js';
import type { Answers } from '../training/stepFlow.js';
import { serviceCommand, type ServiceCommandDeps } from './serviceCommands.js';
import { problemsByStep, type FlowRetry } from './serviceFlow.js';
import { limitStepsOfIssue } from './serviceLimitSteps.js';
import { askAuth, askLimits, askNewVersion, askReplicas, scaleStepsOfIssue } from './serviceUpdateFlow.js';
import { versionStepsOfIssue } from './serviceVersionSpec.js';
import type { VersionStepId } from './serviceVersionSteps.js';

/** One update flow: asks (again after a 400, at the steps its issues name) and gives the body. */
type Ask<Id extends string> = (
  service: Service,
  retry?: FlowRetry<Id>,
) => Promise<{ body: UpdateServiceBody; answers: Answers<Id> } | undefined>;

/**
 * Registers the update commands: Scale…, Roll Out New Version…, Change Auth… and Change Limits….
 * Each sends PATCH /api/services/:name; a 400 brings its flow back to the step an issue names.
 */
export function registerServiceUpdateCommands(
  deps: Pick<ServiceCommandDeps, 'connection' | 'services'>,
): vscode.Disposable[] {
  const patch = async (client: ApiClient, service: Service, body: UpdateServiceBody, done: string) => {
    const updated = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Updating {0}…', service.name) },
      () => client.updateService({ params: { name: service.name }, body }),
    );
    deps.services.apply({ change: 'updated', service: updated });
    void vscode.window.showInformationMessage(done);
    return updated;
  };

  /** Asks, sends, and asks again at the named steps while the server refuses with issues it can place. */
  const update =
    <Id extends string>(ask: Ask<Id>, stepsOf: (path: string) => Id[], done: (service: Service) => string) =>
    async (client: ApiClient, service: Service) => {
      let retry: FlowRetry<Id> | undefined;
      for (;;) {
        const asked = await ask(service, retry);
        if (!asked) return;
        try {
          await patch(client, service, asked.body, done(service));
          return;
        } catch (error) {
          const placed = problemsByStep(error, stepsOf, (id) => id in asked.answers);
          if (!placed || Object.keys(placed.problems).length === 0) throw error;
          if (placed.unplaced.length > 0) {
            void vscode.window.showErrorMessage(
              vscode.l10n.t('The server refused it: {0}', placed.unplaced.join('; ')),
            );
          }
          retry = { answers: asked.answers, problems: placed.problems };
        }
      }
    };

  return [
    vscode.commands.registerCommand(
      CommandIds.scaleService,
      serviceCommand(
        deps,
        update(askReplicas, scaleStepsOfIssue, (s) => vscode.l10n.t('{0} is scaling.', s.name)),
      ),
    ),
    vscode.commands.registerCommand(
      CommandIds.rollOutServiceVersion,
      serviceCommand(
        deps,
        async (client, service) => {
          const images = await imagesToOffer(client);
          const rollOut = update(
            (s, retry?: FlowRetry<VersionStepId>) => askNewVersion(s, retry, images),
            versionStepsOfIssue,
            (s) =>
              vscode.l10n.t('Rolling out a new version of {0}; the serving one answers until it is ready.', s.name),
          );
          await rollOut(client, service);
        },
        (service) => service.state === 'Running',
      ),
    ),
    vscode.commands.registerCommand(
      CommandIds.changeServiceAuth,
      serviceCommand(deps, async (client, service) => {
        let problem: string | undefined;
        for (;;) {
          const chosen = await askAuth(service, problem);
          if (!chosen) return;
          try {
            await patch(client, service, chosen, vscode.l10n.t('Who may call {0} has changed.', service.name));
            return;
          } catch (error) {
            const placed = problemsByStep(
              error,
              (path) => (/auth/.test(path) ? ['auth'] : []),
              () => true,
            );
            if (!placed?.problems.auth) throw error;
            problem = placed.problems.auth;
          }
        }
      }),
    ),
    vscode.commands.registerCommand(
      CommandIds.changeServiceLimits,
      serviceCommand(
        deps,
        update(askLimits, limitStepsOfIssue, (s) => vscode.l10n.t('The limits of {0} have changed.', s.name)),
      ),
    ),
  ];
}
