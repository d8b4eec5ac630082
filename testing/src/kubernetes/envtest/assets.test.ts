import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { envtestAssetsOrSkip, EnvtestAssetsMissing, findEnvtestAssets, inCi } from './assets.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'envtest-assets-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

function script(file: string, text = '#!/bin/sh\necho fake\n'): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o755 });
  return file;
}

const NO_ETCD = { PATH: '' };

describe('findEnvtestAssets', () => {
  it('takes kube-apiserver and etcd from KUBEBUILDER_ASSETS', () => {
    const assets = path.join(dir, 'assets');
    script(path.join(assets, 'kube-apiserver'));
    script(path.join(assets, 'etcd'));
    expect(findEnvtestAssets({ env: { ...NO_ETCD, KUBEBUILDER_ASSETS: assets } })).toEqual({
      kubeApiServer: path.join(assets, 'kube-apiserver'),
      etcd: path.join(assets, 'etcd'),
      source: `KUBEBUILDER_ASSETS=${assets}`,
    });
  });

  it('names the missing kube-apiserver of KUBEBUILDER_ASSETS and where else to get one', () => {
    const assets = path.join(dir, 'assets');
    script(path.join(assets, 'etcd'));
    const find = () => findEnvtestAssets({ env: { ...NO_ETCD, KUBEBUILDER_ASSETS: assets } });
    expect(find).toThrow(EnvtestAssetsMissing);
    expect(find).toThrow(
      `KUBEBUILDER_ASSETS=${assets} has no executable kube-apiserver (looked at ${assets}/kube-apiserver)`,
    );
    expect(find).toThrow(/setup-envtest use -p path/);
  });

  it('takes etcd from PATH, then the Debian path, and says how to install it when neither has one', () => {
    const assets = path.join(dir, 'assets');
    script(path.join(assets, 'kube-apiserver'));
    const bin = path.join(dir, 'bin');
    const env = { KUBEBUILDER_ASSETS: assets, PATH: bin };
    const debianEtcd = path.join(dir, 'usr-bin', 'etcd');
    const find = () => findEnvtestAssets({ env, debianEtcd });
    expect(find).toThrow(
      `no etcd for the real API server (looked at ${assets}/etcd, etcd on PATH, ${debianEtcd}): install it with \`apt-get install -y etcd-server\``,
    );
    script(debianEtcd);
    expect(find().etcd).toBe(debianEtcd);
    script(path.join(bin, 'etcd'));
    expect(find().etcd).toBe(path.join(bin, 'etcd'));
  });

  it('without KUBEBUILDER_ASSETS or the shared archive, names both', () => {
    const shared = path.join(dir, 'shared');
    expect(() => findEnvtestAssets({ env: NO_ETCD, sharedDir: shared })).toThrow(
      `no kube-apiserver for the real API server: KUBEBUILDER_ASSETS is not set and ${shared}/kube-apiserver.xz does not exist`,
    );
  });

  describe('the shared kube-apiserver.xz', () => {
    const binary = '#!/bin/sh\necho "kube-apiserver stand-in"\n';
    const sha256 = createHash('sha256').update(binary).digest('hex');
    let shared: string;
    let cache: string;
    let etcd: string;
    beforeEach(() => {
      shared = path.join(dir, 'shared');
      cache = path.join(dir, 'cache');
      mkdirSync(shared);
      writeFileSync(path.join(shared, 'kube-apiserver.xz'), execFileSync('xz', ['-c'], { input: binary }));
      etcd = script(path.join(dir, 'debian', 'etcd'));
    });

    it('is unpacked once into a cache folder named by its sha256, executable, with Debian etcd beside it', () => {
      const options = { env: NO_ETCD, sharedDir: shared, cacheRoot: cache, sha256, debianEtcd: etcd };
      const assets = findEnvtestAssets(options);
      const unpacked = path.join(cache, `aiplat-envtest-${sha256.slice(0, 12)}`, 'kube-apiserver');
      expect(assets).toEqual({ kubeApiServer: unpacked, etcd, source: path.join(shared, 'kube-apiserver.xz') });
      expect(readFileSync(unpacked, 'utf8')).toBe(binary);
      expect(execFileSync(unpacked, { encoding: 'utf8' })).toBe('kube-apiserver stand-in\n');
      const unpackedAt = statSync(unpacked).mtimeMs;
      rmSync(path.join(shared, 'kube-apiserver.xz'));
      writeFileSync(path.join(shared, 'kube-apiserver.xz'), 'not xz any more');
      expect(findEnvtestAssets(options).kubeApiServer).toBe(unpacked);
      expect(statSync(unpacked).mtimeMs).toBe(unpackedAt);
    });

    it('refuses an archive whose binary has another sha256, leaving nothing behind', () => {
      const wrong = 'f'.repeat(64);
      expect(() =>
        findEnvtestAssets({ env: NO_ETCD, sharedDir: shared, cacheRoot: cache, sha256: wrong, debianEtcd: etcd }),
      ).toThrow(`unpacks to a kube-apiserver with sha256 ${sha256}, not ${wrong}`);
      expect(readdirSync(path.join(cache, `aiplat-envtest-${wrong.slice(0, 12)}`))).toEqual([]);
    });

    it('says so when the archive is not xz', () => {
      writeFileSync(path.join(shared, 'kube-apiserver.xz'), 'plain text');
      expect(() =>
        findEnvtestAssets({ env: NO_ETCD, sharedDir: shared, cacheRoot: cache, sha256, debianEtcd: etcd }),
      ).toThrow(/^xz -dc .*kube-apiserver\.xz failed \(exit 1\): .*format/);
      expect(existsSync(path.join(cache, `aiplat-envtest-${sha256.slice(0, 12)}`, 'kube-apiserver'))).toBe(false);
    });
  });
});

describe('envtestAssetsOrSkip', () => {
  const missing = (CI?: string) => ({
    env: { ...NO_ETCD, ...(CI === undefined ? {} : { CI }) },
    sharedDir: path.join(dir, 'none'),
  });

  it('in CI, fails with what is missing', () => {
    expect(() => envtestAssetsOrSkip('a.test.ts', missing('true'))).toThrow(EnvtestAssetsMissing);
    expect(() => envtestAssetsOrSkip('a.test.ts', missing('1'))).toThrow(/KUBEBUILDER_ASSETS is not set/);
  });

  it('elsewhere, warns naming the suite and what is missing, and skips', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(envtestAssetsOrSkip('a.test.ts', missing())).toBeUndefined();
    expect(envtestAssetsOrSkip('a.test.ts', missing('false'))).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^a\.test\.ts is skipped: no kube-apiserver .*KUBEBUILDER_ASSETS/);
  });

  it('knows CI by the CI variable', () => {
    expect([undefined, '', 'false', '0', 'true', '1'].map((CI) => inCi(CI === undefined ? {} : { CI }))).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });
});
