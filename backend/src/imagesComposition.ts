import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { DevMachineService } from './devmachines/devMachineService.js';
import { ImageCatalog } from './images/imageCatalog.js';
import { createImageHandlers } from './images/imageHandlers.js';
import { ImageSaves } from './images/imageSaves.js';
import { PlatformRegistry } from './images/platformRegistry.js';
import {
  defaultDockerConfigPath,
  loadDockerConfigCredentials,
  type RegistryCredentials,
} from './images/registry/credentials.js';
import type { EnsureImageOptions } from './engines/local/containers/containerRuntime.js';
import { RegistryClient } from './images/registry/registryClient.js';
import type { EventHub } from './server/eventHub.js';
import type { Handlers } from './server/handlers.js';
import type { Store } from './store/store.js';

/**
 * Images, put together: the platform's registry (when configured), the catalog and the saves of dev
 * machines as images. The registry's login is read from the docker config.json at start.
 */
export class ImagesPart {
  private saves?: ImageSaves;

  private constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly registry: PlatformRegistry | undefined,
    private readonly credentials?: RegistryCredentials,
  ) {}

  static async create(config: Config, store: Store, log: Logger): Promise<ImagesPart> {
    const settings = config.images.registry;
    if (!settings) return new ImagesPart(store, config, undefined);
    const host = new URL(settings.url).host;
    const configPath = settings.dockerConfig ?? defaultDockerConfigPath();
    const credentials = await loadDockerConfigCredentials(configPath, host).catch((error: unknown) => {
      // A registry whose login cannot be read still serves anonymous pulls: say why pushes may fail.
      log.warn({ err: error, configPath }, `no login for the image registry ${host}`);
      return undefined;
    });
    const client = new RegistryClient({
      url: settings.url,
      insecure: settings.insecure,
      ...(credentials ? { credentials } : {}),
    });
    return new ImagesPart(store, config, new PlatformRegistry(client), credentials);
  }

  /** How the container runtime pulls an image: with the platform registry's login when it is there. */
  pullOptions(image: string): EnsureImageOptions {
    const settings = this.config.images.registry;
    if (!settings || !this.registry || !image.startsWith(`${this.registry.name}/`)) return {};
    const plainOrUnchecked = settings.insecure || new URL(settings.url).protocol === 'http:';
    return {
      ...(plainOrUnchecked ? { tlsVerify: false } : {}),
      ...(this.credentials ? { auth: { ...this.credentials, serveraddress: this.registry.name } } : {}),
    };
  }

  handlers(
    hub: EventHub,
    devMachines: DevMachineService,
  ): Pick<Handlers, keyof ReturnType<typeof createImageHandlers>> {
    const catalog = new ImageCatalog({
      store: this.store.images,
      presets: this.config.images.presets,
      ...(this.registry ? { registry: this.registry } : {}),
    });
    this.saves = new ImageSaves({
      targets: devMachines,
      devMachine: (id, user) => devMachines.get(id, user),
      catalog,
      ...(this.registry ? { pusher: this.registry, registryPrefix: this.registry.name } : {}),
      events: hub,
    });
    return createImageHandlers(catalog, this.saves);
  }

  close(): void {
    this.saves?.close();
  }
}
