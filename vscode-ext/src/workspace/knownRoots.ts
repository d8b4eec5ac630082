import type { RootInfo } from '@aiplat/api';

/** The part of VS Code's `Memento` (`ExtensionContext.globalState`) the store needs. */
export interface StateStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

const KEY = 'aiplat.knownRoots';

interface Remembered {
  serverUrl: string;
  roots: RootInfo[];
}

/**
 * The /work roots the server gave at the last connection, kept in the extension's global state:
 * the Workspace view shows them the moment it opens, while the connection is still being made,
 * and the server's answer replaces them. A server's roots (home, cache, mount) seldom change; a
 * connection that fails empties the view as before, and another server's roots are never shown.
 */
export class KnownRoots {
  constructor(private readonly state: StateStore) {}

  of(serverUrl: string): readonly RootInfo[] | undefined {
    const remembered = this.state.get<Remembered>(KEY);
    return remembered && sameServer(remembered.serverUrl, serverUrl) ? remembered.roots : undefined;
  }

  remember(serverUrl: string, roots: readonly RootInfo[]): void {
    void this.state.update(KEY, { serverUrl, roots: [...roots] } satisfies Remembered);
  }
}

function sameServer(a: string, b: string): boolean {
  const normal = (url: string) => url.trim().replace(/\/+$/, '');
  return normal(a) === normal(b);
}
