import { ApiError, type DevMachineSpec } from '@aiplat/api';
import { manifestOptionsFor, type KubernetesConfig } from '../config.js';
import type { KubeObject } from '../manifests/common.js';
import { manifestsYaml } from '../manifests/index.js';
import { devMachineManifests } from './devMachineManifests.js';

/** The id the objects are named after: the real dev machine gets its own when it is created. */
export const DRY_RUN_DEV_MACHINE_ID = 'dm-dryrun';

/**
 * A dev machine's Kubernetes objects without creating anything (`aiplat dev create --engine
 * kubernetes --dry-run`). The Secret shows where its values go, never a value: the engine makes
 * the IDEs' token when it starts the dev machine and puts the owner's platform token in.
 */
export function dryRunDevMachine(
  user: string,
  spec: DevMachineSpec,
  config: KubernetesConfig,
): { namespace: string; manifests: KubeObject[]; yaml: string } {
  const base = manifestOptionsFor(config, { user, jobId: DRY_RUN_DEV_MACHINE_ID, queue: spec.queue });
  let manifests: KubeObject[];
  try {
    manifests = devMachineManifests(
      { id: DRY_RUN_DEV_MACHINE_ID, owner: user, spec },
      {
        ideToken: '<made when it starts>',
        ...(config.platformUrl
          ? { platformServer: config.platformUrl, platformToken: `<${user}'s platform token>` }
          : {}),
      },
      {
        base,
        backendNamespace: config.backendNamespace,
        ...(config.devMachineImage ? { defaultImage: config.devMachineImage } : {}),
      },
    );
  } catch (error) {
    throw new ApiError(
      'validation_failed',
      `this dev machine cannot run on the Kubernetes engine: ${(error as Error).message}`,
    );
  }
  return { namespace: base.namespace, manifests, yaml: manifestsYaml(manifests) };
}
