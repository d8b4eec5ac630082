import type { GitRepositoryStatus } from '@aiplat/api';
import type { CloneRequest, DevMachineObservation } from '../../../devmachines/engine.js';
import type { Volume, VolumeMount } from '../manifests/common.js';

/*
 * The Git repositories a dev machine's pod clones (images/devmachine/entrypoint.sh does, before the
 * lifecycle scripts): entries of the machine's Secret, mounted as a folder per repository, and the
 * lines the entrypoint writes about each. Pure functions.
 */

/** Where the entrypoint finds the repositories: `<n>/url`, `<n>/folder`, and `branch`, `username`, `token` or `ssh-key`. */
export const REPOSITORIES_MOUNT = '/etc/aiplat/repositories';
/** Where the entrypoint writes one line per repository (read back through the pod's exec). */
export const REPOSITORIES_STATUS_FILE = '/tmp/aiplat-repositories.status';
const VOLUME = 'repositories';
const STATUS_LINE = /^aiplat-repository: (cloned|failed) (\S+)(?: (.*))?$/;

export interface RepositoriesInPod {
  /** Entries of the Secret (`repository-<n>-<field>`). */
  secretData: Record<string, string>;
  volume: Volume;
  volumeMount: VolumeMount;
  env: { name: string; value: string }[];
}

/** The Secret entries, volume, mount and variables that hand `repositories` to the entrypoint; undefined for none. */
export function repositoriesInPod(
  repositories: readonly CloneRequest[] | undefined,
  secretName: string,
  cloneTimeoutSeconds = 600,
): RepositoriesInPod | undefined {
  if (!repositories?.length) return undefined;
  const entries = repositories.flatMap((repository, index) => {
    const credential = repository.credential;
    const fields: [string, string | undefined][] = [
      ['url', repository.url],
      ['folder', repository.folder],
      ['branch', repository.branch],
      ['username', credential?.kind === 'token' ? credential.username : undefined],
      ['token', credential?.kind === 'token' ? credential.token : undefined],
      ['ssh-key', credential?.kind === 'ssh-key' ? credential.privateKey : undefined],
    ];
    return fields.flatMap(([field, value]) =>
      value === undefined ? [] : [{ key: `repository-${index + 1}-${field}`, path: `${index + 1}/${field}`, value }],
    );
  });
  return {
    secretData: Object.fromEntries(entries.map(({ key, value }) => [key, value])),
    // Readable by the container's user only; the entrypoint copies a key to a 0600 file of its own.
    volume: {
      name: VOLUME,
      secret: { secretName, items: entries.map(({ key, path }) => ({ key, path })), defaultMode: 0o400 },
    },
    volumeMount: { name: VOLUME, mountPath: REPOSITORIES_MOUNT, readOnly: true },
    env: [
      { name: 'AIPLAT_REPOSITORIES_DIR', value: REPOSITORIES_MOUNT },
      { name: 'AIPLAT_REPOSITORIES_STATUS', value: REPOSITORIES_STATUS_FILE },
      { name: 'AIPLAT_CLONE_TIMEOUT', value: String(cloneTimeoutSeconds) },
    ],
  };
}

/** The statuses in the entrypoint's lines (`aiplat-repository: cloned|failed URL[ MESSAGE]`), paths as the local engine's. */
export function repositoryStatuses(
  text: string,
  repositories: readonly CloneRequest[],
  workingDir: string,
  at = new Date(),
): GitRepositoryStatus[] {
  return text.split('\n').flatMap((line) => {
    const match = STATUS_LINE.exec(line.trim());
    const repository = match && repositories.find((r) => r.url === match[2]);
    if (!match || !repository) return [];
    return [
      {
        url: repository.url,
        path: [workingDir, repository.folder].filter(Boolean).join('/'),
        state: match[1] as GitRepositoryStatus['state'],
        ...(match[3] ? { message: match[3] } : {}),
        at: at.toISOString(),
      },
    ];
  });
}

/** How a status read from the pod is reported: the status and its event, as the local engine does. */
export function repositoryObservation(status: GitRepositoryStatus): DevMachineObservation {
  const cloned = status.state === 'cloned';
  const said = status.message ? `: ${status.message}` : '';
  return {
    repositories: [status],
    event: cloned
      ? { type: 'repository-cloned', message: `Cloned ${status.url} into ${status.path}${said}.` }
      : { type: 'repository-failed', message: `Could not clone ${status.url} into ${status.path}${said}` },
  };
}
