import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Where the real API server's binaries are, the way controller-runtime's envtest finds them: the
 * folder named by KUBEBUILDER_ASSETS (kube-apiserver and etcd, e.g. from `setup-envtest use -p path`),
 * else the kube-apiserver shipped xz-compressed in ../shared/envtest/ (unpacked once into a cache
 * folder) with Debian's etcd.
 */

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** `../shared/envtest/` beside the repository: kube-apiserver.xz and its README. */
export const SHARED_ENVTEST_DIR = path.resolve(REPO_ROOT, '../shared/envtest');
/** The sha256 of kube-apiserver v1.32.6 unpacked from kube-apiserver.xz (../shared/envtest/README.md). */
export const KUBE_APISERVER_SHA256 = '058a82e09e94d44ddeb13f830d370d2e664061ea8d5a31ecfac176d4d9232d93';
/** Debian's etcd-server package puts it here. */
export const DEBIAN_ETCD = '/usr/bin/etcd';

const INSTALL_ETCD =
  'install it with `apt-get install -y etcd-server` (or `scripts/ensure-system-deps.sh etcd-server`), or put etcd in KUBEBUILDER_ASSETS';

export interface EnvtestAssets {
  kubeApiServer: string;
  etcd: string;
  /** Where they were found, for messages: KUBEBUILDER_ASSETS=… or the shared archive. */
  source: string;
}

/** A binary the real-API-server tests need is missing; the message says which and how to get it. */
export class EnvtestAssetsMissing extends Error {
  override name = 'EnvtestAssetsMissing';
}

export interface FindAssetsOptions {
  env?: NodeJS.ProcessEnv;
  /** The folder holding kube-apiserver.xz; default ../shared/envtest beside the repository. */
  sharedDir?: string;
  /** Where kube-apiserver.xz is unpacked to (a folder per sha256 under it); default the OS temp folder. */
  cacheRoot?: string;
  /** The sha256 the unpacked kube-apiserver must have. */
  sha256?: string;
  /** The last place etcd is looked for; default Debian's /usr/bin/etcd. */
  debianEtcd?: string;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, command);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** kube-apiserver.xz unpacked into `<cacheRoot>/aiplat-envtest-<sha prefix>/`, once; parallel callers may both unpack. */
function unpackedApiServer(archive: string, cacheRoot: string, sha256: string): string {
  const dir = path.join(cacheRoot, `aiplat-envtest-${sha256.slice(0, 12)}`);
  const binary = path.join(dir, 'kube-apiserver');
  if (executable(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  // A temp name per process, renamed into place: another test file unpacking at once never sees half a binary.
  const partial = `${binary}.${process.pid}.${Date.now()}.partial`;
  const fd = openSync(partial, 'w', 0o755);
  let result;
  try {
    result = spawnSync('xz', ['-dc', archive], { stdio: ['ignore', fd, 'pipe'] });
  } finally {
    closeSync(fd);
  }
  try {
    if (result.error) {
      throw new EnvtestAssetsMissing(
        `could not run xz to unpack ${archive} (${result.error.message}); install it with \`apt-get install -y xz-utils\``,
      );
    }
    if (result.status !== 0) {
      throw new Error(`xz -dc ${archive} failed (exit ${result.status}): ${result.stderr.toString().trim()}`);
    }
    const actual = sha256Of(partial);
    if (actual !== sha256) {
      throw new Error(
        `${archive} unpacks to a kube-apiserver with sha256 ${actual}, not ${sha256} as ${path.join(path.dirname(archive), 'README.md')} says; replace the archive or the expected sum`,
      );
    }
    renameSync(partial, binary);
  } finally {
    rmSync(partial, { force: true });
  }
  return binary;
}

/** kube-apiserver and etcd; throws EnvtestAssetsMissing naming what is missing, where it looked and how to get it. */
export function findEnvtestAssets(options: FindAssetsOptions = {}): EnvtestAssets {
  const env = options.env ?? process.env;
  const assetsDir = env.KUBEBUILDER_ASSETS;
  const etcd = (preferred?: string): string => {
    const debianEtcd = options.debianEtcd ?? DEBIAN_ETCD;
    const found = [preferred, onPath('etcd', env), debianEtcd].find((file) => file && executable(file));
    if (found) return found;
    const looked = [preferred, 'etcd on PATH', debianEtcd].filter(Boolean).join(', ');
    throw new EnvtestAssetsMissing(`no etcd for the real API server (looked at ${looked}): ${INSTALL_ETCD}`);
  };
  if (assetsDir) {
    const kubeApiServer = path.join(assetsDir, 'kube-apiserver');
    if (!executable(kubeApiServer)) {
      throw new EnvtestAssetsMissing(
        `KUBEBUILDER_ASSETS=${assetsDir} has no executable kube-apiserver (looked at ${kubeApiServer}): point it at a folder with kube-apiserver and etcd (\`setup-envtest use -p path\` prints one), or unset it to use ${path.join(SHARED_ENVTEST_DIR, 'kube-apiserver.xz')}`,
      );
    }
    return { kubeApiServer, etcd: etcd(path.join(assetsDir, 'etcd')), source: `KUBEBUILDER_ASSETS=${assetsDir}` };
  }
  const archive = path.join(options.sharedDir ?? SHARED_ENVTEST_DIR, 'kube-apiserver.xz');
  if (!readable(archive)) {
    throw new EnvtestAssetsMissing(
      `no kube-apiserver for the real API server: KUBEBUILDER_ASSETS is not set and ${archive} does not exist; set KUBEBUILDER_ASSETS to a folder with kube-apiserver and etcd (e.g. from \`setup-envtest use -p path\`)`,
    );
  }
  const etcdBinary = etcd();
  const kubeApiServer = unpackedApiServer(
    archive,
    options.cacheRoot ?? os.tmpdir(),
    options.sha256 ?? KUBE_APISERVER_SHA256,
  );
  return { kubeApiServer, etcd: etcdBinary, source: archive };
}

/** Whether `env` says this is a CI run (CI set, and not to false or 0). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
}

/**
 * The assets for a suite, or undefined after a warning naming what is missing so the suite can be
 * skipped on a machine without them. In CI a missing binary throws: the suite fails, never skips.
 */
export function envtestAssetsOrSkip(suite: string, options: FindAssetsOptions = {}): EnvtestAssets | undefined {
  const env = options.env ?? process.env;
  try {
    return findEnvtestAssets(options);
  } catch (error) {
    if (!(error instanceof EnvtestAssetsMissing) || inCi(env)) throw error;
    console.warn(`${suite} is skipped: ${error.message} (in CI, with CI set, this fails the suite)`);
    return undefined;
  }
}
