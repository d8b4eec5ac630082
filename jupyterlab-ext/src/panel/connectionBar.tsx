import type { ConnectionState } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { describeConnectionState, describeContainerRuntime } from '../connectionMessages.js';
import type { IConnectionModel, TokenProblem } from '../tokens.js';

interface ConnectionBarProps {
  connection: IConnectionModel;
  trans: TranslationBundle;
  /** Runs the connect command (it asks for a token when the server wants one). */
  onConnect: () => void;
}

function Bar({
  state,
  tokenProblem,
  trans,
  onConnect,
}: { state: ConnectionState; tokenProblem: TokenProblem | undefined } & Omit<ConnectionBarProps, 'connection'>) {
  if (state.status === 'connected') {
    const text = trans.__('Connected to %1 as %2', state.serverUrl, state.info.user);
    const runtime = describeContainerRuntime(state.info.containerRuntime, trans);
    return (
      <div className="aiplat-connection aiplat-connection-ok" data-testid="aiplat-connection" data-status="connected">
        <span title={text}>{text}</span>
        <span
          className="aiplat-connection-runtime"
          data-testid="aiplat-container-runtime"
          data-kind={state.info.containerRuntime.kind}
          title={runtime.title || runtime.text}
        >
          {runtime.text.trim()}
        </span>
      </div>
    );
  }
  const message =
    state.status === 'connecting'
      ? trans.__('Connecting…')
      : (describeConnectionState(state, trans, tokenProblem)?.text ?? trans.__('Not connected.'));
  return (
    <div
      className="aiplat-connection aiplat-connection-problem"
      data-testid="aiplat-connection"
      data-status={state.status}
    >
      <span className="aiplat-connection-message" title={message}>
        {message}
      </span>
      {state.status !== 'connecting' && (
        <button className="jp-mod-styled jp-mod-accept" data-testid="aiplat-connect" onClick={onConnect}>
          {tokenProblem
            ? trans.__('Enter Token…')
            : state.status === 'disconnected'
              ? trans.__('Connect')
              : trans.__('Retry')}
        </button>
      )}
    </div>
  );
}

/** The sidebar's first line: whether the server can be reached, and a way to (re)connect. */
export class ConnectionBar extends ReactWidget {
  constructor(private readonly props: ConnectionBarProps) {
    super();
    this.addClass('aiplat-connection-bar');
  }

  protected render(): JSX.Element {
    const { connection, trans, onConnect } = this.props;
    return (
      <UseSignal signal={connection.stateChanged} initialArgs={connection.state}>
        {(_, state) => (
          <Bar
            state={state ?? connection.state}
            tokenProblem={connection.tokenProblem}
            trans={trans}
            onConnect={onConnect}
          />
        )}
      </UseSignal>
    );
  }
}
