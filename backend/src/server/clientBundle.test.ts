import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the contract in a browser bundle', () => {
  it('bundles the emitted JS for the browser with no Node built-ins', async () => {
    const entry = fileURLToPath(new URL('../../../api/dist/index.js', import.meta.url));
    expect(existsSync(entry), 'build first: npx tsc -b api').toBe(true);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => /^node:|node_modules\/(ws|express)\//.test(i))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/\brequire\(["']/);
    expect(code).toContain('createClient');
  });
});
