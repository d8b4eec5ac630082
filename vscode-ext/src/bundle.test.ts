import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface Manifest {
  main: string;
  activationEvents: string[];
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
}
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

/** The webview panel types the extension creates or restores (`*_VIEW_TYPE` constants in src/webviews). */
function webviewPanelTypes(): string[] {
  return [
    path.join('jobDetails', 'jobDetailsPanels.ts'),
    path.join('preview', 'previewPanels.ts'),
    path.join('scalars', 'scalarsPanels.ts'),
    path.join('service', 'servicePanels.ts'),
  ].flatMap((panels) => {
    const file = readFileSync(path.join(root, 'src', 'webviews', panels), 'utf8');
    return [...file.matchAll(/export const \w+_VIEW_TYPE = '([^']+)'/g)].map((m) => m[1]!);
  });
}

const meanLineLength = (text: string) => text.length / text.split('\n').length;

/** Packages dist/ with scripts/package.mjs (vsce) and reads the .vsix (a zip) with Python's zipfile. */
function packageAndRead(out: string): Map<string, Buffer> {
  const packaged = spawnSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--out', out], {
    encoding: 'utf8',
  });
  if (packaged.status !== 0) throw new Error(`packaging failed:\n${packaged.stdout}\n${packaged.stderr}`);
  const script =
    'import base64, json, sys, zipfile\n' +
    'z = zipfile.ZipFile(sys.argv[1])\n' +
    'print(json.dumps({n: base64.b64encode(z.read(n)).decode() for n in z.namelist()}))';
  const listed = spawnSync('/usr/bin/python3', ['-c', script, out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const entries = JSON.parse(listed.stdout) as Record<string, string>;
  return new Map(Object.entries(entries).map(([name, data]) => [name, Buffer.from(data, 'base64')]));
}

describe('activation', () => {
  const views = Object.values(manifest.contributes.views)
    .flat()
    .map((view) => view.id);
  const commands = manifest.contributes.commands.map((command) => command.command);

  it('is lazy: never at startup, only on our views, commands and webview panels', () => {
    expect(manifest.activationEvents).not.toContain('*');
    expect(manifest.activationEvents).not.toContain('onStartupFinished');
    const ours = new Set([
      ...views.map((id) => `onView:${id}`),
      ...commands.map((id) => `onCommand:${id}`),
      ...webviewPanelTypes().map((type) => `onWebviewPanel:${type}`),
    ]);
    expect(manifest.activationEvents.filter((event) => !ours.has(event))).toEqual([]);
  });

  it('happens when any of our views is shown, and when a webview page is restored', () => {
    for (const id of views) expect(manifest.activationEvents).toContain(`onView:${id}`);
    for (const type of webviewPanelTypes()) expect(manifest.activationEvents).toContain(`onWebviewPanel:${type}`);
  });
});

describe('the packaged .vsix', () => {
  let temp: string;
  let files: Map<string, Buffer>;
  beforeAll(() => {
    if (!existsSync(path.join(root, manifest.main)))
      throw new Error(`build first (npm run build): no ${manifest.main}`);
    temp = mkdtempSync(path.join(os.tmpdir(), 'aiplat-vsix-test-'));
    files = packageAndRead(path.join(temp, 'aiplat.vsix'));
  }, 60_000);
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('holds minified bundles, with their source maps outside the .vsix', () => {
    const main = `extension/${manifest.main.replace(/^\.\//, '')}`;
    const scripts = [...files.keys()].filter((name) => /^extension\/dist\/.*\.js$/.test(name));
    expect(scripts).toContain(main);
    expect(scripts).toContain('extension/dist/main.js');
    for (const name of scripts) {
      const text = files.get(name)!.toString('utf8');
      // esbuild --minify writes long lines (an unminified bundle averages ~35 characters a line);
      // the small entry point is a few lines.
      expect(text.split('\n').length <= 5 || meanLineLength(text) > 1000, name).toBe(true);
      expect(text, name).not.toContain('sourceMappingURL=data:');
    }
    // 1.2 MiB unminified; 0.7 MiB minified with zod's locales, which scripts/build.mjs leaves out.
    // ~610 KiB with lifecycle configs (their contract and ~12 KiB of views, files and commands);
    // ~672 KiB with datasets and models (their contract ~15 KiB, views and commands ~25 KiB).
    const total = scripts.reduce((sum, name) => sum + files.get(name)!.length, 0);
    expect(total).toBeLessThan(700 * 1024);
    expect([...files.keys()].filter((name) => name.endsWith('.map'))).toEqual([]);
  });

  it('holds the minified webview scripts (job details, TensorBoard, service)', () => {
    for (const name of ['jobDetails', 'scalars', 'service']) {
      const script = files.get(`extension/dist/webviews/${name}.js`)?.toString('utf8');
      expect(script, name).toBeDefined();
      expect(meanLineLength(script!), name).toBeGreaterThan(1000);
    }
  });
});
