import { API_VERSION, type ConnectionState, type ContainerRuntimeInfo } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { TokenProblem } from './tokens.js';

export interface ConnectionMessage {
  severity: 'success' | 'error';
  text: string;
}

/**
 * What to tell the user about a state after they asked to connect; nothing while in between.
 * `tokenProblem` (the model's) tells a 401 with no token sent from a rejected token.
 */
export function describeConnectionState(
  state: ConnectionState,
  trans: TranslationBundle,
  tokenProblem: TokenProblem | undefined,
): ConnectionMessage | undefined {
  switch (state.status) {
    case 'disconnected':
    case 'connecting':
      return undefined;
    case 'connected':
      return {
        severity: 'success',
        text: trans.__(
          'Connected to %1 as %2 (server %3, API %4).',
          state.serverUrl,
          state.info.user,
          state.info.serverVersion,
          state.info.apiVersion,
        ),
      };
    case 'version-mismatch':
      return {
        severity: 'error',
        text: trans.__(
          'The server at %1 speaks an incompatible API version (this extension speaks API %2). Update the extension or the server. Details: %3',
          state.serverUrl,
          API_VERSION,
          state.error.message,
        ),
      };
    case 'error':
      switch (state.error.code) {
        case 'unauthorized':
          return {
            severity: 'error',
            text:
              tokenProblem === 'missing'
                ? trans.__('The server at %1 needs an access token.', state.serverUrl)
                : trans.__('The server at %1 rejected the access token.', state.serverUrl),
          };
        case 'bad_request':
        case 'network':
          return {
            severity: 'error',
            text: trans.__(
              'Cannot reach the AI Platform at %1. Check the server URL setting and that the server is running. Details: %2',
              state.serverUrl,
              state.error.message,
            ),
          };
        default:
          return {
            severity: 'error',
            text: trans.__('Could not connect to %1: %2', state.serverUrl, state.error.message),
          };
      }
  }
}

/**
 * Which container runtime the server's local engine uses, in one short line; `title` says why
 * there is none (the server's words).
 */
export function describeContainerRuntime(
  runtime: ContainerRuntimeInfo,
  trans: TranslationBundle,
): { text: string; title: string } {
  switch (runtime.kind) {
    case 'podman':
      return { text: trans.__('Containers: Podman %1', runtime.version ?? ''), title: '' };
    case 'docker':
      return { text: trans.__('Containers: Docker %1', runtime.version ?? ''), title: '' };
    case 'none':
      return { text: trans.__('Containers: none — dev machines run as processes'), title: runtime.reason ?? '' };
  }
}
