import type { ConnectionState } from '@aiplat/api';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { DisposableDelegate, DisposableSet, type IDisposable } from '@lumino/disposable';
import { CommandIDs } from '../commandIds.js';
import { describeConnectionState } from '../connectionMessages.js';
import type { ConnectionModel } from '../model/connectionModel.js';
import type { TokenProblem } from '../tokens.js';

/** Connects the model, asking for a token in a masked dialog whenever the server wants one. */
export interface Connector {
  /** `notify`: tell the outcome in a notification (when the user asked), not only in the sidebar. */
  connect(options: { notify: boolean }): Promise<ConnectionState>;
}

/** Adds the connection commands; disposing the result removes them. */
export function addConnectionCommands(
  commands: CommandRegistry,
  model: ConnectionModel,
  trans: TranslationBundle,
): IDisposable & Connector {
  const disposables = new DisposableSet();
  const connector = createConnector(model, trans);
  disposables.add(
    commands.addCommand(CommandIDs.connect, {
      label: trans.__('Connect to AI Platform…'),
      caption: trans.__('Connect to the AI Platform server and check that it speaks a compatible API version'),
      isEnabled: () => model.state.status !== 'connecting',
      execute: () => connector.connect({ notify: true }),
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.setToken, {
      label: trans.__('Set AI Platform Access Token…'),
      caption: trans.__('Enter the access token for this browser tab and connect with it'),
      execute: async () => {
        const token = await askToken(model, trans, undefined);
        if (token === undefined) return model.state;
        model.setToken(token);
        return connector.connect({ notify: true });
      },
    }),
  );
  const onStateChanged = () => commands.notifyCommandChanged(CommandIDs.connect);
  model.stateChanged.connect(onStateChanged);
  disposables.add(new DisposableDelegate(() => model.stateChanged.disconnect(onStateChanged)));
  return Object.assign(disposables, { connect: connector.connect });
}

function createConnector(model: ConnectionModel, trans: TranslationBundle): Connector {
  // One dialog at a time: a second request while one runs (settings loaded, then changed) joins it.
  let running: Promise<ConnectionState> | undefined;
  let notifyRunning = false;
  return {
    connect: ({ notify }) => {
      notifyRunning ||= notify;
      running ??= model
        .connectAsking((problem) => askToken(model, trans, problem))
        .then((state) => {
          const message = describeConnectionState(state, trans, model.tokenProblem);
          if (notifyRunning && message?.severity === 'success') Notification.success(message.text, { autoClose: 5000 });
          else if (notifyRunning && message) Notification.error(message.text, { autoClose: false });
          return state;
        })
        .finally(() => {
          running = undefined;
          notifyRunning = false;
        });
      return running;
    },
  };
}

/** The token, from a password field; undefined when cancelled. `problem` says why it is asked for. */
async function askToken(
  model: ConnectionModel,
  trans: TranslationBundle,
  problem: TokenProblem | undefined,
): Promise<string | undefined> {
  const why =
    problem === 'missing'
      ? trans.__('The server at %1 needs an access token.', model.serverUrl)
      : problem === 'rejected'
        ? trans.__('The server at %1 rejected the access token. Enter another one.', model.serverUrl)
        : trans.__('The access token for %1.', model.serverUrl);
  const result = await InputDialog.getPassword({
    title: trans.__('AI Platform access token'),
    label: `${why} ${trans.__('It is kept for this browser tab until the tab is closed, not in the settings.')}`,
    okLabel: trans.__('Connect'),
  });
  return result.button.accept ? (result.value ?? '') : undefined;
}
