#!/usr/bin/env node
// Builds the test host: JupyterLab 4.6.4's core extensions in one bundle that is a Module
// Federation host (the pattern of JupyterLab's examples/app and dev_mode), so prebuilt extensions
// from a labextensions path load into it as they would into a pip-installed JupyterLab.
// Output: build/static (bundle), build/schemas, build/themes — what serve.py points the server at.
// Usage: node build.mjs [--development] [--force]
// Skips the build when its inputs (this script, src/, package.json, the root lockfile) are unchanged.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { rspack } = require('@rspack/core');
const { Build } = require('@jupyter/builder');
const baseConfig = require('@jupyter/builder/lib/webpack.config.base');
const core = require('@jupyterlab/core-meta/core.package.json');
const data = require('./package.json');

const buildDir = path.join(here, 'build');
const staticDir = path.join(buildDir, 'static');
const mode = process.argv.includes('--development') ? 'development' : 'production';
const { extensions, mimeExtensions } = data.jupyterlab;

const inputs = createHash('sha256');
for (const file of [
  path.join(here, 'build.mjs'),
  path.join(here, 'package.json'),
  path.join(here, '..', 'package-lock.json'),
  ...readdirSync(path.join(here, 'src')).map((name) => path.join(here, 'src', name)),
]) {
  if (existsSync(file)) inputs.update(file).update(readFileSync(file));
}
inputs.update(mode);
const stamp = path.join(buildDir, 'inputs.sha256');
const digest = inputs.digest('hex');
if (
  !process.argv.includes('--force') &&
  existsSync(path.join(staticDir, 'bundle.js')) &&
  existsSync(stamp) &&
  readFileSync(stamp, 'utf8') === digest
) {
  console.log('jupyterlab-host: build/ is up to date');
  process.exit(0);
}

// Schemas and themes of every core extension, and build/style.js that imports their CSS.
const themeConfigs = Build.ensureAssets({
  packageNames: [...extensions, ...mimeExtensions],
  output: buildDir,
  schemaOutput: buildDir,
  themeOutput: buildDir,
});

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
}

// Shared modules as JupyterLab shares them: every resolution of the core package (the ones
// installed here), plus the extension packages; singletons from core-meta's list.
function createShared() {
  const shared = {};
  for (const [name, requiredVersion] of Object.entries(core.resolutions)) {
    if (resolvable(name)) shared[name] = { requiredVersion };
  }
  for (const name of [...extensions, ...mimeExtensions]) {
    shared[name] ??= { requiredVersion: require(`${name}/package.json`).version };
  }
  for (const name of core.jupyterlab.singletonPackages) {
    if (shared[name]) shared[name].singleton = true;
  }
  return shared;
}

const hostConfig = {
  ...baseConfig,
  mode,
  devtool: mode === 'development' ? 'source-map' : false,
  context: here,
  entry: { main: path.join(here, 'src', 'bootstrap.js') },
  output: {
    path: staticDir,
    publicPath: 'auto',
    // templates/index.html loads bundle.js; chunks carry content hashes.
    filename: 'bundle.js',
    chunkFilename: '[name].[contenthash].js',
    clean: true,
    hashFunction: 'xxhash64',
  },
  optimization: { ...(baseConfig.optimization ?? {}), splitChunks: false },
  performance: { hints: false },
  plugins: [
    ...baseConfig.plugins,
    new rspack.container.ModuleFederationPlugin({
      library: { type: 'var', name: ['_JUPYTERLAB', 'CORE_LIBRARY_FEDERATION'] },
      name: 'CORE_FEDERATION',
      shared: createShared(),
    }),
  ],
};

const started = Date.now();
const compiler = rspack([hostConfig, ...themeConfigs]);
compiler.run((error, stats) => {
  if (error) {
    console.error(error);
    process.exit(1);
  }
  if (stats.hasErrors()) {
    console.error(stats.toString({ all: false, errors: true }));
    process.exit(1);
  }
  writeFileSync(stamp, digest);
  console.log(`jupyterlab-host: built ${path.relative(process.cwd(), buildDir)} in ${Date.now() - started} ms`);
  compiler.close(() => {});
});
