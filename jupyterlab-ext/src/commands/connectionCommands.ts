import type { ConnectionState } from '@aiplat/api';
import { InputDialog, Notification } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { CommandRegistry } from '@lumino/commands';
import { DisposableDelegate, DisposableSet, type IDisposable } from '@lumino/disposable';
import { CommandIDs } from '../commandIds.js';
import { describeConnectionState } from '../connectionMessages.js';
import type { ConnectionModel } from '../model/connectionModel.js';

/** Adds the connection commands; disposing the result removes them. */
export function addConnectionCommands(
  commands: CommandRegistry,
  model: ConnectionModel,
  trans: TranslationBundle,
): IDisposable {
  const disposables = new DisposableSet();
  disposables.add(
    commands.addCommand(CommandIDs.connect, {
      label: trans.__('Connect to AI Platform…'),
      caption: trans.__('Connect to the AI Platform server and check that it speaks a compatible API version'),
      isEnabled: () => model.state.status !== 'connecting',
      execute: () => connect(model, trans),
    }),
  );
  disposables.add(
    commands.addCommand(CommandIDs.setToken, {
      label: trans.__('Set AI Platform Access Token…'),
      caption: trans.__('Enter the access token for this page and connect with it'),
      execute: async () => {
        const result = await InputDialog.getPassword({
          title: trans.__('AI Platform access token'),
          label: trans.__('The token for %1. It is kept in memory until the page is reloaded.', model.serverUrl),
        });
        if (!result.button.accept) return model.state;
        model.setToken(result.value ?? undefined);
        return connect(model, trans);
      },
    }),
  );
  const onStateChanged = () => commands.notifyCommandChanged(CommandIDs.connect);
  model.stateChanged.connect(onStateChanged);
  disposables.add(new DisposableDelegate(() => model.stateChanged.disconnect(onStateChanged)));
  return disposables;
}

/** Connects with the session's token (or none); if the server rejects it, asks for one and retries once. */
async function connect(model: ConnectionModel, trans: TranslationBundle): Promise<ConnectionState> {
  let state = await model.connect();
  if (state.status === 'error' && state.error.code === 'unauthorized') {
    const result = await InputDialog.getPassword({
      title: trans.__('AI Platform access token'),
      label: trans.__(
        'The server at %1 needs an access token. It is kept in memory until the page is reloaded.',
        model.serverUrl,
      ),
    });
    if (!result.button.accept) return state;
    model.setToken(result.value ?? undefined);
    state = await model.connect();
  }
  const message = describeConnectionState(state, trans);
  if (message?.severity === 'success') Notification.success(message.text, { autoClose: 5000 });
  else if (message) Notification.error(message.text, { autoClose: false });
  return state;
}
