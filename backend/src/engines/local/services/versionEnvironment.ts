import type { ServiceLifecycle } from '../../../services/engine.js';
import { nextLogSeq } from '../../../logs/logReader.js';
import { instancePaths } from '../supervisor/index.js';
import type { ServiceContainers } from '../containers/serviceContainers.js';
import { environmentPython, installRequirements, type PipSettings } from './requirements.js';
import { replicaNews, type RunningVersion } from './runningVersion.js';
import { appendPlatformLine, instanceNames } from './versionFiles.js';

export interface VersionEnvironmentDeps {
  lifecycle: ServiceLifecycle;
  pip: PipSettings;
  containers?: ServiceContainers;
}

/**
 * Makes the version's environment: its container's, or its requirements installed into its own
 * venv (pip's output in replica 0's log, the venv put on the replicas' PATH). Rejects when they do
 * not install.
 */
export async function prepareEnvironment(running: RunningVersion, deps: VersionEnvironmentDeps): Promise<void> {
  const { service, version, spec } = running.launch;
  if (running.container) {
    await deps.containers!.prepare(running.container);
    return;
  }
  if (!spec.requirements?.trim()) return;
  const reportAll = (state: 'Installing' | 'Pending') => {
    for (let index = 0; index < running.launch.spec.replicas; index++) {
      deps.lifecycle.observed(service.name, replicaNews(running, index, state));
    }
  };
  reportAll('Installing');
  deps.lifecycle.observed(service.name, {
    event: { type: 'installing', message: `Installing the requirements of version ${version}.`, version },
  });
  const platformLog = instancePaths(running.logDir, instanceNames(0)[0]).logFile;
  let seq = nextLogSeq(platformLog);
  const env = { ...running.env };
  delete env.VIRTUAL_ENV;
  let installed: { venv: string; bin: string };
  try {
    installed = await installRequirements({
      folder: running.folder,
      python: environmentPython(spec.environment),
      requirements: spec.requirements,
      pip: deps.pip,
      env,
      onLine: (line) => appendPlatformLine(platformLog, line, seq++),
      signal: running.abort.signal,
    });
  } catch (error) {
    throw new Error(`its requirements did not install: ${(error as Error).message}`);
  }
  running.env.PATH = `${installed.bin}:${running.env.PATH ?? ''}`;
  running.env.VIRTUAL_ENV = installed.venv;
  reportAll('Pending');
}
