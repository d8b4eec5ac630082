import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_URL } from './settings.js';
import { PLUGIN_ID, TRANSLATION_DOMAIN } from './tokens.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = <T>(file: string) => JSON.parse(readFileSync(path.join(root, file), 'utf8')) as T;

type Catalog = Record<string, string[]> & { '': { domain: string; language: string; plural_forms: string } };
const catalog = readJson<Catalog>(`locale/zh_CN/LC_MESSAGES/${TRANSLATION_DOMAIN}.json`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** The msgid of every `trans.__(...)` call in src, which must be a plain string literal. */
function translatedStrings(): string[] {
  const found = new Set<string>();
  for (const file of sourceFiles(path.join(root, 'src'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && /(^|\.)(__|_n|_p|_np)$/.test(node.expression.getText(source))) {
        const name = node.expression.getText(source);
        if (!name.endsWith('.__')) throw new Error(`${file}: only trans.__ is checked so far, found ${name}`);
        const first = node.arguments[0];
        if (!first || !ts.isStringLiteralLike(first)) {
          throw new Error(`${file}: trans.__ needs a string literal, found ${first?.getText(source)}`);
        }
        found.add(first.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return [...found];
}

const placeholders = (text: string) => [...text.matchAll(/%\d+/g)].map((m) => m[0]).sort();

describe('translations and settings', () => {
  it('has a zh_CN catalog in JupyterLab language-pack format for the plugin domain', () => {
    // The header carries the BCP 47 tag, as jupyterlab-translate writes it: JupyterLab's Gettext
    // looks messages up under 'zh-CN' and never finds a catalog whose header says 'zh_CN'.
    expect(catalog['']).toMatchObject({ domain: TRANSLATION_DOMAIN, language: 'zh-CN' });
    expect(catalog[''].plural_forms).toMatch(/^nplurals=\d+; plural=/);
  });

  it('translates every trans.__ string in src, with the same placeholders, and nothing else', () => {
    const strings = translatedStrings();
    expect(strings.length).toBeGreaterThan(5);
    const missing = strings.filter((s) => !Array.isArray(catalog[s]) || !catalog[s][0]?.trim());
    expect(missing).toEqual([]);
    for (const s of strings) expect(placeholders(catalog[s]?.[0] ?? ''), s).toEqual(placeholders(s));
    const unused = Object.keys(catalog).filter((key) => key !== '' && !strings.includes(key));
    expect(unused).toEqual([]);
  });

  it('names the plugin after the package and its schema, with the same default server URL', () => {
    const pkg = readJson<{ name: string; jupyterlab: { extension: boolean; schemaDir: string } }>('package.json');
    expect(pkg.jupyterlab.extension).toBe(true);
    expect(PLUGIN_ID).toBe(`${pkg.name}:plugin`);
    const schema = readJson<{
      properties: { serverUrl: { default: string } };
      'jupyter.lab.internationalization': { domain: string };
    }>(`${pkg.jupyterlab.schemaDir}/plugin.json`);
    expect(schema.properties.serverUrl.default).toBe(DEFAULT_SERVER_URL);
    expect(schema['jupyter.lab.internationalization'].domain).toBe(TRANSLATION_DOMAIN);
  });
});
