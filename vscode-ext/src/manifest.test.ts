import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { CommandIds, ContextKeys, ViewIds } from './commands/commandIds.js';
import { ConfigKeys, DEFAULT_SERVER_URL } from './configuration.js';

vi.mock('vscode', () => import('./test/vscodeFake.js'));

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = (file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Record<string, unknown>;

interface MenuEntry {
  command: string;
  when?: string;
  group?: string;
}

interface Manifest {
  scripts: Record<string, string>;
  contributes: {
    commands: { command: string; title: string; category?: string }[];
    configuration: { properties: Record<string, { default?: unknown }> };
    viewsContainers: { activitybar: { id: string; title: string; icon: string }[] };
    views: Record<string, { id: string; name: string; when?: string }[]>;
    viewsWelcome: { view: string; contents: string; when?: string }[];
    menus: Record<string, MenuEntry[]>;
    yamlValidation: { fileMatch: string[]; url: string }[];
    jsonValidation: { fileMatch: string[]; url: string }[];
  };
}

const manifestText = readFileSync(path.join(root, 'package.json'), 'utf8');
const manifest = JSON.parse(manifestText) as Manifest;
const nls = { en: readJson('package.nls.json'), zhCn: readJson('package.nls.zh-cn.json') };
const bundleZhCn = readJson('l10n/bundle.l10n.zh-cn.json');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The first argument of every `l10n.t(...)` call in src, which must be a plain string literal. */
function l10nStrings(): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && /(^|\.)l10n\.t$/.test(node.expression.getText(source))) {
        const first = node.arguments[0];
        if (!first || !ts.isStringLiteralLike(first)) {
          throw new Error(`${file}: l10n.t needs a string literal, found ${first?.getText(source)}`);
        }
        found.add(first.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found];
}

const placeholders = (text: string) => [...text.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

describe('package.json manifest', () => {
  it('contributes exactly the commands registered in code', () => {
    expect(manifest.contributes.commands.map((c) => c.command).sort()).toEqual(Object.values(CommandIds).sort());
  });

  it('contributes exactly the settings read in code, with the same defaults', () => {
    const properties = manifest.contributes.configuration.properties;
    expect(Object.keys(properties).sort()).toEqual(Object.values(ConfigKeys).sort());
    expect(properties[ConfigKeys.serverUrl]?.default).toBe(DEFAULT_SERVER_URL);
  });

  it('puts every command under the one AI Platform category', () => {
    for (const command of manifest.contributes.commands)
      expect(command.category, command.command).toBe('%command.category%');
    expect(nls.en['command.category']).toBe('AI Platform');
    expect(nls.zhCn['command.category']).toBe('智算平台');
  });

  it('contributes the AI Platform container with exactly the declared views', () => {
    const [container] = manifest.contributes.viewsContainers.activitybar;
    expect(container?.id).toBe('aiplat');
    expect(existsSync(path.join(root, container?.icon ?? ''))).toBe(true);
    expect(Object.keys(manifest.contributes.views)).toEqual(['aiplat']);
    expect(manifest.contributes.views.aiplat?.map((v) => v.id).sort()).toEqual(Object.values(ViewIds).sort());
    for (const welcome of manifest.contributes.viewsWelcome) {
      expect(Object.values(ViewIds)).toContain(welcome.view);
      expect(welcome.when).toBe(`!${ContextKeys.connected}`);
    }
  });

  it("names only declared commands in menus, and item menus match the items' context values", () => {
    const ids = Object.values(CommandIds) as string[];
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) expect(ids, `${menu}: ${entry.command}`).toContain(entry.command);
    }
    const itemWhens = (manifest.contributes.menus['view/item/context'] ?? []).map((e) => e.when ?? '');
    const viewItems = itemWhens.flatMap((when) => [...when.matchAll(/viewItem == ([\w.]+)/g)].map((m) => m[1]));
    expect([...new Set(viewItems)].sort()).toEqual([
      'aiplat.asset.datasets.own',
      'aiplat.assetTask',
      'aiplat.devMachine.running',
      'aiplat.devMachine.running.autoStop',
      'aiplat.devMachine.stopped',
      'aiplat.devMachineSsh',
      'aiplat.folder',
      'aiplat.image.saved',
      'aiplat.job.active',
      'aiplat.job.finished',
      'aiplat.lifecycleConfig',
      'aiplat.lifecycleConfigs',
      'aiplat.model',
      'aiplat.root',
      'aiplat.service.idle',
      'aiplat.service.running',
      'aiplat.serviceReplica',
    ]);
  });

  it('validates job.yaml with the schema the build generates', () => {
    const url = './schemas/job.schema.json';
    expect(manifest.contributes.yamlValidation).toEqual([{ fileMatch: ['job.yaml', '*.job.yaml'], url }]);
    expect(manifest.contributes.jsonValidation[0]?.url).toBe(url);
    expect(manifest.scripts['build:schema']).toContain(url.slice(2));
    expect(manifest.scripts.build).toContain('build:schema');
  });

  it('has an English and a Chinese entry for every %key%, and no unused ones', () => {
    const keys = [...new Set([...manifestText.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1] as string))].sort();
    expect(keys.length).toBeGreaterThan(0);
    expect(Object.keys(nls.en).sort()).toEqual(keys);
    expect(Object.keys(nls.zhCn).sort()).toEqual(keys);
    for (const key of keys) expect(String(nls.zhCn[key]).trim(), key).not.toBe('');
  });

  it('has a Chinese translation for every l10n.t string in src, with the same placeholders', () => {
    const strings = l10nStrings();
    expect(strings.length).toBeGreaterThan(5);
    const missing = strings.filter((s) => typeof bundleZhCn[s] !== 'string');
    expect(missing).toEqual([]);
    for (const s of strings) expect(placeholders(String(bundleZhCn[s])), s).toEqual(placeholders(s));
    const unused = Object.keys(bundleZhCn).filter((key) => !strings.includes(key));
    expect(unused).toEqual([]);
  });
});
