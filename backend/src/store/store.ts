import type { LifecycleConfigStore } from '../devmachines/lifecycle/lifecycleConfigStore.js';
/**
 * Persistence behind a small interface, so services never see SQL and a test can use a fresh
 * database in a temp folder. Each domain adds its own narrow methods here as it arrives.
 */
import type { DevMachineStore } from '../devmachines/devMachineStore.js';
import type { JobStore } from '../jobs/jobStore.js';
import type { ServiceStore } from '../services/serviceStore.js';
import type { ImageStore } from '../images/imageStore.js';
import type { GitCredentialStore, SshKeyStore } from '../devmachines/access/accessStores.js';
import type { AssetStore } from '../catalog/assetStore.js';

export interface Store {
  readonly jobs: JobStore;
  readonly devMachines: DevMachineStore;
  readonly services: ServiceStore;
  readonly images: ImageStore;
  readonly lifecycleConfigs: LifecycleConfigStore;
  readonly sshKeys: SshKeyStore;
  readonly gitCredentials: GitCredentialStore;
  readonly assets: AssetStore;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  /** The newest migration applied. */
  schemaVersion(): number;
  /** Cheap liveness check for /readyz. */
  ping(): boolean;
  close(): void;
}
