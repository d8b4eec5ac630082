import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

/*
 * Namespaces for tests sharing one API server. With no controller-manager nothing creates a
 * namespace's `default` ServiceAccount, and the ServiceAccount admission plugin refuses pods without
 * it, so it is created here; nothing deletes a namespace either (it would stay Terminating), so tests
 * use fresh names and the server is thrown away at the end.
 */

/** `<prefix>-<random>`: a valid namespace name no other test uses. */
export function uniqueNamespace(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
}

/** Creates namespace `name` with its `default` ServiceAccount; returns the name. */
export async function createNamespace(kubeConfig: KubeConfig, name: string): Promise<string> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } });
  await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: 'default' } } });
  return name;
}
