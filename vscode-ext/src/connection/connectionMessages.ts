import { API_VERSION, type ConnectionState, type ContainerRuntimeInfo } from '@aiplat/api';
import * as vscode from 'vscode';

export interface ConnectionMessage {
  severity: 'info' | 'error';
  text: string;
  /** Offer to open the `aiplat.serverUrl` setting (the URL is probably wrong). */
  offerSettings: boolean;
}

/** What to tell the user about a state after they asked to connect; nothing while in between. */
export function describeConnectionState(state: ConnectionState): ConnectionMessage | undefined {
  switch (state.status) {
    case 'disconnected':
    case 'connecting':
      return undefined;
    case 'connected':
      return {
        severity: 'info',
        text: vscode.l10n.t(
          'Connected to {0} as {1} (server {2}, API {3}).',
          state.serverUrl,
          state.info.user,
          state.info.serverVersion,
          state.info.apiVersion,
        ),
        offerSettings: false,
      };
    case 'version-mismatch':
      return {
        severity: 'error',
        text: vscode.l10n.t(
          'The server at {0} speaks an incompatible API version (this extension speaks API {1}). Update the extension or the server. Details: {2}',
          state.serverUrl,
          API_VERSION,
          state.error.message,
        ),
        offerSettings: false,
      };
    case 'error':
      switch (state.error.code) {
        case 'unauthorized':
          return {
            severity: 'error',
            text: vscode.l10n.t('The server at {0} rejected the access token.', state.serverUrl),
            offerSettings: false,
          };
        case 'bad_request':
        case 'network':
          return {
            severity: 'error',
            text: vscode.l10n.t(
              'Cannot reach the AI Platform at {0}. Check the server URL setting and that the server is running. Details: {1}',
              state.serverUrl,
              state.error.message,
            ),
            offerSettings: true,
          };
        default:
          return {
            severity: 'error',
            text: vscode.l10n.t('Could not connect to {0}: {1}', state.serverUrl, state.error.message),
            offerSettings: false,
          };
      }
  }
}

/** Which container runtime the server's local engine uses; with none, why (the server's words). */
export function describeContainerRuntime(runtime: ContainerRuntimeInfo): string {
  switch (runtime.kind) {
    case 'podman':
      return vscode.l10n.t('Containers: Podman {0}.', runtime.version ?? '?');
    case 'docker':
      return vscode.l10n.t('Containers: Docker {0}.', runtime.version ?? '?');
    case 'none':
      return runtime.reason
        ? vscode.l10n.t('Containers: none — dev machines run as processes. Details: {0}', runtime.reason)
        : vscode.l10n.t('Containers: none — dev machines run as processes.');
  }
}
