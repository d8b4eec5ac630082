import type { ISettingRegistry } from '@jupyterlab/settingregistry';

/** Same default as `schema/plugin.json` (checked by a test) and the VS Code `aiplat.serverUrl`. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export interface ExtensionSettings {
  serverUrl: string;
  /** Empty: ask when the server wants one (kept in memory for the page only). */
  token: string;
  /** The folder of JupyterLab's file browser that is /work ('' when JupyterLab's root is /work). */
  workPathInJupyter: string;
  /** A /work root that the file browser shows elsewhere under that folder, e.g. `{ home: 'home/alice' }`. */
  workRootsInJupyter: Record<string, string>;
}

function text(settings: ISettingRegistry.ISettings, key: string): string {
  const value = settings.get(key).composite;
  return typeof value === 'string' ? value.trim() : '';
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * The platform's own URL when it serves this JupyterLab (a dev machine's, at
 * `/devmachines/<id>/lab/` on the platform's server): the page is already signed in there.
 */
export function platformServerUrl(page: { baseUrl: string; origin: string }): string | undefined {
  const path = new URL(page.baseUrl, page.origin).pathname;
  return /^\/devmachines\/dm-[a-z0-9]+\/lab\/$/.test(path) ? page.origin : undefined;
}

/**
 * The settings in effect. In a dev machine's JupyterLab a server URL the user did not set is the
 * platform serving the page (signed in by its session: no URL or token to type).
 */
export function readSettings(
  settings: ISettingRegistry.ISettings,
  page?: { baseUrl: string; origin: string },
): ExtensionSettings {
  const chosen = typeof settings.user.serverUrl === 'string' ? settings.user.serverUrl.trim() : '';
  const served = page ? platformServerUrl(page) : undefined;
  return {
    serverUrl: chosen || served || text(settings, 'serverUrl') || DEFAULT_SERVER_URL,
    token: text(settings, 'token'),
    workPathInJupyter: text(settings, 'workPathInJupyter').replace(/^\/+|\/+$/g, ''),
    workRootsInJupyter: stringRecord(settings.get('workRootsInJupyter').composite),
  };
}
