import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { platformServerUrl } from './settings.js';

interface Property {
  title: string;
  description: string;
  format?: string;
}
const schema = JSON.parse(readFileSync(new URL('../schema/plugin.json', import.meta.url), 'utf8')) as {
  properties: Record<string, Property>;
};
const guide = readFileSync(new URL('../../docs/user-guide-jupyterlab.md', import.meta.url), 'utf8');

describe('the settings schema says where the token is kept', () => {
  it('names the token setting as stored in settings in clear text, and masks it in the form', () => {
    const token = schema.properties.token!;
    expect(token.title).toBe('Access token stored in settings (optional, clear text)');
    // rjsf (the Settings Editor form) renders format "password" as <input type="password">.
    expect(token.format).toBe('password');
    expect(token.description).toMatch(/stored in clear text in your JupyterLab user settings/);
    expect(token.description).toMatch(/Leave empty .* kept for the browser tab only/);
    expect(token.description).toMatch(/masked in the Settings Editor form, not in its JSON editor/);
  });

  it('never claims elsewhere that the token is not stored in settings', () => {
    for (const [key, property] of Object.entries(schema.properties)) {
      const text = `${property.title} ${property.description}`;
      expect(text, key).not.toMatch(/never stored in settings|in memory for this page/i);
    }
  });

  it('documents the same in the user guide', () => {
    expect(guide).toContain('Access token stored in settings (optional, clear text)');
    expect(guide).toMatch(/stored in clear text in your JupyterLab user settings/);
    expect(guide).not.toMatch(/never stored in settings|in memory for the page/i);
  });

  it('tells that workRootsInJupyter is found when left empty and that a value set wins', () => {
    const roots = schema.properties.workRootsInJupyter!.description;
    expect(roots).toMatch(/Leave empty to have it found/);
    expect(roots).toMatch(/A value set here wins/);
  });
});

describe('the server URL in a dev machine’s JupyterLab', () => {
  it('is the platform serving the page, for JupyterLab at /devmachines/<id>/lab/ only', () => {
    expect(platformServerUrl({ baseUrl: '/devmachines/dm-1a2b3c4d/lab/', origin: 'http://10.0.0.5:8080' })).toBe(
      'http://10.0.0.5:8080',
    );
    expect(platformServerUrl({ baseUrl: '/', origin: 'http://127.0.0.1:8888' })).toBeUndefined();
    expect(platformServerUrl({ baseUrl: '/user/alice/', origin: 'https://hub.example' })).toBeUndefined();
  });
});
