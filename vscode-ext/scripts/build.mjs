#!/usr/bin/env node
// Bundles the extension with esbuild, minified, each bundle with a linked source map file (not in the
// .vsix: .vscodeignore lets only dist/*.js and dist/webviews/*.js through):
//   dist/extension.js           the entry point (src/loader.ts): loads dist/main.js through V8's
//                               code cache (src/codeCache.ts), so activation compiles little
//   dist/main.js                the extension host bundle (src/extension.ts; CommonJS for Node 20)
//   dist/webviews/jobDetails.js the job details page's script (browser)
//   dist/webviews/scalars.js    the TensorBoard page's script (browser)
//   dist/webviews/service.js    the service page's script (browser)
// The contract (@aiplat/api) is bundled from its sources. zod's translated error messages
// (`z.locales`, ~40 languages, a third of the bundle) are left out: nothing here uses them, and zod
// keeps its English messages (imported by its schemas directly, not through `locales`).
//
//   node scripts/build.mjs [extension|webviews]...   (no argument: both)
import * as esbuild from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const extDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const api = path.join(extDir, '..', 'api', 'src', 'index.ts');

/** Resolves zod's `../locales/index.js` (the `locales` namespace of zod and zod/v4/core) to an empty module. */
export const withoutZodLocales = {
  name: 'without-zod-locales',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'without-zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'without-zod-locales' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

const common = {
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  alias: { '@aiplat/api': api },
  logLevel: 'warning',
  absWorkingDir: extDir,
};

const targets = {
  extension: () =>
    Promise.all([
      esbuild.build({
        ...common,
        entryPoints: ['src/extension.ts'],
        outfile: 'dist/main.js',
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        external: ['vscode', 'bufferutil', 'utf-8-validate'],
        plugins: [withoutZodLocales],
      }),
      esbuild.build({
        ...common,
        entryPoints: ['src/loader.ts'],
        outfile: 'dist/extension.js',
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        external: ['vscode'],
      }),
    ]),
  webviews: () =>
    esbuild.build({
      ...common,
      entryPoints: {
        jobDetails: 'src/webviews/jobDetails/app.ts',
        scalars: 'src/webviews/scalars/app.ts',
        service: 'src/webviews/service/app.ts',
      },
      outdir: 'dist/webviews',
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      plugins: [withoutZodLocales],
    }),
};

const chosen = process.argv.slice(2);
for (const name of chosen) if (!(name in targets)) throw new Error(`build: unknown target ${name}`);
await Promise.all((chosen.length ? chosen : Object.keys(targets)).map((name) => targets[name]()));
