/*
 * What a service version's replica gets when it runs in a container, on whichever engine runs it
 * (a Kubernetes pod or a container of the local engine): the model read-only at /data/model, the
 * start script (requirements into a venv of the image's Python, then the version's command) and
 * pip's own environment variables for the operator's package index. Pure.
 */

export const MODEL_MOUNT = '/data/model';
/** Where the start script, the command and the requirements are mounted read-only. */
export const START_DIR = '/etc/aiplat';

/** `services.pip` of the backend's config: the operator's package index, passed to pip as given. */
export interface PipSettings {
  indexUrl?: string;
  extraIndexUrls: readonly string[];
  findLinks: readonly string[];
  trustedHosts: readonly string[];
  noIndex: boolean;
}

export type PlainEnv = { name: string; value: string };

/** A URL with a user or password in it (`https://user:token@pypi.example/simple`). */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}

/**
 * pip's own environment variables for the operator's index (never a host of ours): `plain` may be
 * shown as they are, `secret` (an index or links URL with a password in it) must be kept out of
 * what others read (on Kubernetes: the version's Secret, referenced by name).
 */
export function pipEnv(pip: PipSettings): { plain: PlainEnv[]; secret: PlainEnv[] } {
  const all: PlainEnv[] = [
    ...(pip.indexUrl ? [{ name: 'PIP_INDEX_URL', value: pip.indexUrl }] : []),
    ...(pip.extraIndexUrls.length ? [{ name: 'PIP_EXTRA_INDEX_URL', value: pip.extraIndexUrls.join(' ') }] : []),
    ...(pip.findLinks.length ? [{ name: 'PIP_FIND_LINKS', value: pip.findLinks.join(' ') }] : []),
    ...(pip.trustedHosts.length ? [{ name: 'PIP_TRUSTED_HOST', value: pip.trustedHosts.join(' ') }] : []),
    ...(pip.noIndex ? [{ name: 'PIP_NO_INDEX', value: '1' }] : []),
  ];
  const secret = (env: PlainEnv) => env.value.split(' ').some(hasCredentials);
  return { plain: all.filter((env) => !secret(env)), secret: all.filter(secret) };
}

/** The files of START_DIR: the start script, the version's command and its requirements. */
export const START_FILE_NAMES = ['start.sh', 'command.sh', 'requirements.txt'] as const;

export function startFiles(version: {
  command: string;
  requirements?: string | undefined;
}): Record<(typeof START_FILE_NAMES)[number], string> {
  return { 'start.sh': START_SCRIPT, 'command.sh': version.command, 'requirements.txt': version.requirements ?? '' };
}

/** The container's command: the start script of START_DIR. */
export const START_COMMAND = ['/bin/sh', `${START_DIR}/start.sh`];

/** The start script: the requirements into a venv of the image's Python, then the user's command. */
const START_SCRIPT = `set -e
if [ -s ${START_DIR}/requirements.txt ]; then
  python3 -m venv --system-site-packages /tmp/aiplat-venv
  . /tmp/aiplat-venv/bin/activate
  pip install --no-input --disable-pip-version-check -r ${START_DIR}/requirements.txt
fi
exec /bin/sh ${START_DIR}/command.sh
`;
