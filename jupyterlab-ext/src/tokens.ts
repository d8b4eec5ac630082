import type { ApiClient, ConnectionState, EventSocket } from '@aiplat/api';
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';

/** The settings schema is `schema/plugin.json`: the id is `<package name>:<schema file name>`. */
export const PLUGIN_ID = '@aiplat/jupyterlab-ext:plugin';

/** gettext domain of `locale/<lang>/LC_MESSAGES/aiplat_jupyterlab_ext.json` and of the schema. */
export const TRANSLATION_DOMAIN = 'aiplat_jupyterlab_ext';

/** Why the server refused the connection for want of a token: none was sent, or it was wrong. */
export type TokenProblem = 'missing' | 'rejected';

/** The connection to the AI Platform server, for the plugins that need the API (panels, jobs…). */
export interface IConnectionModel {
  readonly state: ConnectionState;
  readonly stateChanged: ISignal<IConnectionModel, ConnectionState>;
  /** The client of the current connection; undefined unless connected. */
  readonly client: ApiClient | undefined;
  readonly serverUrl: string;
  /**
   * The live events of the current connection (one WebSocket, shared, reconnecting, resubscribing
   * streamed topics from their last cursor); undefined unless connected.
   */
  readonly events: EventSocket | undefined;
  /** Set when the latest attempt failed for want of a (right) token. */
  readonly tokenProblem: TokenProblem | undefined;
  /**
   * The bearer token the connection sends, if any: the platform's gateway (`/services/<name>/…`)
   * lets its owner in with it (a service's online test panel and chat box call as the user).
   */
  readonly bearerToken?: string | undefined;
  connect(): Promise<ConnectionState>;
}

export const IConnectionModel = new Token<IConnectionModel>(
  '@aiplat/jupyterlab-ext:IConnectionModel',
  'The connection to the AI Platform server.',
);
