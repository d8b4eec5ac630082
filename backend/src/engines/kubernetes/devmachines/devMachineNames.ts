import { LABEL_PREFIX, objectName } from '../manifests/jobMetadata.js';

/** The label on every object of a dev machine (its id as the value). */
export const DEV_MACHINE_LABEL = `${LABEL_PREFIX}/devmachine`;

/** The name of every object of a dev machine (its id is already a DNS label). */
export function devMachineObjectName(id: string): string {
  return objectName(id);
}
