import type { ISettingRegistry } from '@jupyterlab/settingregistry';

/** Same default as `schema/plugin.json` (checked by a test) and the VS Code `aiplat.serverUrl`. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

export function readServerUrl(settings: ISettingRegistry.ISettings): string {
  const value = settings.get('serverUrl').composite;
  return typeof value === 'string' && value.trim() ? value.trim() : DEFAULT_SERVER_URL;
}
