import { appendLayer } from './registry/appendLayer.js';
import { repositoryScope } from './registry/auth.js';
import { getImageConfig, getImageManifest } from './registry/manifests.js';
import { manifestReference, parseImageReference } from './registry/references.js';
import { discard, type RegistryClient } from './registry/registryClient.js';
import { ApiError } from '@aiplat/api';
import type { ImageDetails, ImageRegistry } from './imageCatalog.js';
import type { LayerPushInput, LayerPusher } from './imageSaves.js';

/**
 * The platform's registry as the catalog and the saves use it: what an image holds (read from its
 * manifest and config), deleting a saved image's manifest, and appending a saved layer.
 */
export class PlatformRegistry implements ImageRegistry, LayerPusher {
  constructor(private readonly client: RegistryClient) {}

  /** `host[:port]`: saved images are named `<registry>/<user>/<repository>:<tag>`. */
  get name(): string {
    return this.client.registry;
  }

  async inspect(ref: string): Promise<ImageDetails> {
    const image = this.ownReference(ref);
    const fetched = await getImageManifest(this.client, image.repository, manifestReference(image));
    const config = await getImageConfig(this.client, image.repository, fetched.manifest);
    return {
      digest: fetched.digest,
      sizeBytes: fetched.manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
      layers: fetched.manifest.layers.length,
      history: (config.history ?? []).map((entry) => ({
        ...(entry.created ? { created: entry.created } : {}),
        ...(entry.created_by ? { createdBy: entry.created_by } : {}),
        ...(entry.author ? { author: entry.author } : {}),
        ...(entry.comment ? { comment: entry.comment } : {}),
        ...(entry.empty_layer ? { emptyLayer: true } : {}),
      })),
    };
  }

  async delete(ref: string): Promise<void> {
    const image = this.ownReference(ref);
    const { digest } = await getImageManifest(this.client, image.repository, manifestReference(image));
    // Registries delete manifests by digest only; the tag goes with it.
    const response = await this.client.expect(
      'DELETE',
      `/v2/${image.repository}/manifests/${digest}`,
      { scopes: [repositoryScope(image.repository, 'pull,push')] },
      [202, 200, 404],
      `delete ${ref}`,
    );
    await discard(response);
  }

  async push(input: LayerPushInput): Promise<{ digest: string; sizeBytes: number; layers: number }> {
    const target = this.ownReference(input.targetRef);
    const result = await appendLayer(this.client, {
      baseImage: input.baseRef,
      targetImage: `${target.repository}:${target.tag ?? 'latest'}`,
      layer: input.layer,
      layerDescription: input.digests,
      history: {
        created: input.history.created,
        created_by: input.history.createdBy,
        author: input.history.author,
        ...(input.history.comment ? { comment: input.history.comment } : {}),
      },
      signal: input.signal,
      onProgress: (progress) => input.onBytes(progress.layerBytesUploaded),
    });
    return {
      digest: result.digest,
      sizeBytes: result.baseLayers.reduce((sum, layer) => sum + layer.size, result.layer.size),
      layers: result.baseLayers.length + 1,
    };
  }

  private ownReference(ref: string) {
    const image = parseImageReference(ref, this.client.registry);
    if (image.registry !== this.client.registry) {
      throw new ApiError('conflict', `${ref} is not in the platform's registry ${this.client.registry}`);
    }
    return image;
  }
}
