import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startPodmanService, type PodmanService } from '../../../backend/src/engines/local/containers/podmanService.js';

/*
 * Real Podman for tests (scripts/ensure-system-deps.sh installs it, configure-podman.sh makes it
 * work on these hosts): an API service of the test file's own on a temporary socket, a tiny
 * busybox image made offline, and clean-up of the containers a test labelled. Set-up and clean-up
 * go through the podman CLI, apart from the code under test.
 */

const run = promisify(execFile);
const PODMAN = '/usr/bin/podman';
const BUSYBOX = '/bin/busybox';
/** Made once per machine from busybox-static: every applet as a symlink, 2 MB. */
export const TEST_BUSYBOX_IMAGE = 'localhost/aiplat-test-busybox:1';

/**
 * Why Podman tests cannot run here, or undefined when they can. In CI (where the setup installs
 * and configures Podman) a missing part fails the test file instead of skipping it.
 */
export function podmanMissing(): string | undefined {
  const reason = missingPart();
  if (reason && process.env.CI) throw new Error(`${reason}; CI runs the Podman tests, so this is a failure`);
  return reason;
}

function missingPart(): string | undefined {
  if (!existsSync(PODMAN)) return 'podman is not installed (scripts/ensure-system-deps.sh installs it as root)';
  if (process.getuid?.() !== 0) return 'the Podman tests run as root (rootless Podman needs a user session)';
  if (!existsSync('/usr/libexec/podman/catatonit') && !existsSync('/usr/bin/catatonit'))
    return 'catatonit is not installed: containers run with an init process (apt-get install catatonit)';
  return undefined;
}

export interface PodmanHarness {
  /** The API socket of this harness's own Podman service. */
  socketPath: string;
  /** A temporary folder of the harness's (the socket lives in it); removed on close. */
  dir: string;
  /** `key=value`: put it on every container a test makes, so close() removes them. */
  label: string;
  labels: Record<string, string>;
  /** Removes the labelled containers, stops the service, removes `dir`. */
  close(): Promise<void>;
}

/** Starts a Podman API service for one test file and makes sure the busybox image exists. */
export async function startPodman(): Promise<PodmanHarness> {
  const missing = podmanMissing();
  if (missing) throw new Error(missing);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-podman-'));
  let service: PodmanService;
  try {
    [service] = await Promise.all([
      startPodmanService({ podman: PODMAN, socketPath: path.join(dir, 'podman.sock'), startTimeoutMs: 20_000 }),
      ensureBusyboxImage(),
    ]);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const value = randomBytes(6).toString('hex');
  const label = `aiplat-test=${value}`;
  return {
    socketPath: service.socketPath,
    dir,
    label,
    labels: { 'aiplat-test': value },
    close: async () => {
      await removeLabelled(label);
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Removes every container (running or not) with this label. */
export async function removeLabelled(label: string): Promise<void> {
  const { stdout } = await run(PODMAN, ['ps', '--all', '--quiet', '--filter', `label=${label}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await run(PODMAN, ['rm', '--force', '--time', '0', ...ids]);
}

/** TEST_BUSYBOX_IMAGE, imported from a busybox rootfs unless it exists already. */
export async function ensureBusyboxImage(): Promise<string> {
  const exists = await run(PODMAN, ['image', 'exists', TEST_BUSYBOX_IMAGE]).then(
    () => true,
    () => false,
  );
  if (exists) return TEST_BUSYBOX_IMAGE;
  if (!existsSync(BUSYBOX)) throw new Error(`no ${BUSYBOX}: install busybox-static`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'aiplat-busybox-'));
  try {
    const bin = path.join(root, 'bin');
    await mkdir(bin);
    await copyFile(BUSYBOX, path.join(bin, 'busybox'));
    const { stdout } = await run(BUSYBOX, ['--list']);
    for (const applet of stdout.split('\n').filter((name) => name && name !== 'busybox'))
      await symlink('busybox', path.join(bin, applet));
    for (const folder of ['etc', 'work', 'proc', 'sys', 'dev']) await mkdir(path.join(root, folder));
    await mkdir(path.join(root, 'tmp'));
    await chmod(path.join(root, 'tmp'), 0o1777);
    await run('sh', ['-c', `tar -C "$1" -c . | ${PODMAN} import - "$2"`, 'sh', root, TEST_BUSYBOX_IMAGE]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return TEST_BUSYBOX_IMAGE;
}
