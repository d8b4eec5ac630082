import type { ApiClient, EventSocket, RootInfo } from '@aiplat/api';

/**
 * What the workspace models need from the connection, read on every call so a reconnect applies
 * at once. `IConnectionModel` satisfies it; tests pass a real client over a real backend.
 */
export interface WorkspaceSource {
  readonly client: ApiClient | undefined;
  readonly events?: EventSocket | undefined;
}

/** The roots the connected server announced (`/api/info`), for display paths. */
export function connectedRoots(source: {
  readonly state?: { status: string; info?: { roots: RootInfo[] } };
}): RootInfo[] {
  return source.state?.status === 'connected' ? (source.state.info?.roots ?? []) : [];
}
