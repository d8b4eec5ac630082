import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { sshCommand, type DevMachineSsh } from '@aiplat/api';
import { sshFingerprint } from '../../../devmachines/access/sshKeyService.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeCluster } from '../cluster.js';
import type { PodObject } from '../clusterObjects.js';
import type { ObjectMeta, Volume, VolumeMount } from '../manifests/common.js';
import { labelValue, LABELS, MANAGED_BY } from '../manifests/jobMetadata.js';
// Used only inside functions: the cycle with devMachineManifests.ts (which builds on this module) is harmless.
import { DEV_MACHINE_LABEL, devMachineObjectName } from './devMachineNames.js';

/*
 * SSH into a dev machine's pod: the image's sshd, started by the entrypoint when the keys are
 * mounted (from the machine's Secret), behind a Service of its own (NodePort unless the operator
 * chooses LoadBalancer) that anyone may reach — sshd asks for a key, unlike the IDEs, which only
 * the platform's proxy reaches.
 */

/** Where the entrypoint finds `authorized_keys` and the host key in the pod. */
export const SSH_MOUNT = '/etc/aiplat/ssh';
export const SSH_PORT = { name: 'ssh', port: 22 } as const;
/** Keys of the dev machine's Secret (and file names in SSH_MOUNT). */
export const SSH_SECRET_KEYS = { authorizedKeys: 'authorized_keys', hostKey: 'ssh_host_ed25519_key' } as const;
/** The user the platform's image runs its entrypoint (and sshd) as. */
export const POD_SSH_USER = 'root';

export type SshServiceType = 'NodePort' | 'LoadBalancer';

/** What one start's sshd gets: the keys it lets in, and the host key made for it. */
export interface PodSshSecrets {
  authorizedKeys: readonly string[];
  hostKey: SshHostKey;
}

export interface SshHostKey {
  /** OpenSSH's private key file (`-----BEGIN OPENSSH PRIVATE KEY-----`). */
  privateKey: string;
  /** `ssh-ed25519 AAAA…`. */
  publicKey: string;
  fingerprint: string;
}

function wireString(bytes: Buffer | string): Buffer {
  const body = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/**
 * An ed25519 host key in OpenSSH's own format (PROTOCOL.key: unencrypted `openssh-key-v1`), made
 * here so the platform knows its fingerprint before the pod runs: the backend's image needs no ssh-keygen.
 */
export function sshHostKey(comment: string): SshHostKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
  const publicBlob = Buffer.concat([wireString('ssh-ed25519'), wireString(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    wireString('ssh-ed25519'),
    wireString(pub),
    wireString(Buffer.concat([seed, pub])),
    wireString(comment),
  ]);
  const padding = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: padding }, (_, i) => i + 1))]);
  const file = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    wireString('none'),
    wireString('none'),
    wireString(''),
    Buffer.from([0, 0, 0, 1]),
    wireString(publicBlob),
    wireString(secret),
  ]);
  const lines = file.toString('base64').match(/.{1,70}/g) ?? [];
  const blob = publicBlob.toString('base64');
  return {
    privateKey: ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n'),
    publicKey: `ssh-ed25519 ${blob}`,
    fingerprint: sshFingerprint(blob),
  };
}

/** The Secret's entries for sshd. */
export function sshSecretData(ssh: PodSshSecrets): Record<string, string> {
  return {
    [SSH_SECRET_KEYS.authorizedKeys]: ssh.authorizedKeys.map((key) => `${key}\n`).join(''),
    [SSH_SECRET_KEYS.hostKey]: ssh.hostKey.privateKey,
  };
}

/** The pod's part: the keys mounted read-only (only the owner may read them), AIPLAT_SSH_DIR telling the entrypoint to start sshd. */
export function sshPodParts(secretName: string): {
  volume: Volume;
  mount: VolumeMount;
  env: { name: string; value: string };
  port: { name: string; containerPort: number; protocol: 'TCP' };
} {
  return {
    volume: {
      name: 'ssh',
      secret: {
        secretName,
        items: Object.values(SSH_SECRET_KEYS).map((key) => ({ key, path: key })),
        defaultMode: 0o400,
      },
    },
    mount: { name: 'ssh', mountPath: SSH_MOUNT, readOnly: true },
    env: { name: 'AIPLAT_SSH_DIR', value: SSH_MOUNT },
    port: { name: SSH_PORT.name, containerPort: SSH_PORT.port, protocol: 'TCP' },
  };
}

export interface DevMachineSshService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: SshServiceType;
    selector: Record<string, string>;
    ports: { name: string; port: number; targetPort: string; protocol: 'TCP' }[];
  };
}

export const sshServiceName = (objectName: string) => `${objectName}-ssh`;

/** The Service users' ssh clients reach: port 22 of the pod, on every node's port (NodePort) or a load balancer. */
export function sshService(
  metadata: ObjectMeta,
  selector: Record<string, string>,
  type: SshServiceType,
): DevMachineSshService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...metadata, name: sshServiceName(metadata.name) },
    spec: {
      type,
      selector,
      ports: [{ name: SSH_PORT.name, port: SSH_PORT.port, targetPort: SSH_PORT.name, protocol: 'TCP' }],
    },
  };
}

/** The NetworkPolicy rule that lets anyone reach sshd (the IDEs' ports stay the backend's only). */
export const SSH_INGRESS_RULE = { ports: [{ port: SSH_PORT.name, protocol: 'TCP' as const }] };

/** What the cluster says of the SSH Service, as far as an address goes. */
export interface SshServiceStatus {
  spec?: { ports?: { name?: string; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

/**
 * Where users reach the pod's sshd: the load balancer's address on port 22, or the node's port on
 * the configured host (else the pod's node address); undefined until the cluster has given one.
 */
export function podSshAddress(
  service: SshServiceStatus | undefined,
  pod: PodObject | undefined,
  hostKey: SshHostKey,
  host: string | undefined,
): DevMachineSsh | undefined {
  const ingress = service?.status?.loadBalancer?.ingress?.[0];
  const nodePort = service?.spec?.ports?.find((port) => port.name === SSH_PORT.name)?.nodePort;
  const balanced = ingress?.ip ?? ingress?.hostname;
  const address = balanced
    ? { host: host ?? balanced, port: SSH_PORT.port }
    : nodePort && (host ?? pod?.status?.hostIP)
      ? { host: (host ?? pod?.status?.hostIP)!, port: nodePort }
      : undefined;
  if (!address) return undefined;
  return {
    ...address,
    user: POD_SSH_USER,
    command: sshCommand(POD_SSH_USER, address.host, address.port),
    hostKeyFingerprint: hostKey.fingerprint,
    hostKeyType: 'ssh-ed25519',
  };
}

/**
 * Reads the SSH Service and the pod until the cluster has given an address (a load balancer may
 * take a while): the dev machine's `ssh` once there is one, undefined after `attempts` reads.
 */
export async function readPodSsh(
  cluster: Pick<KubeCluster, 'read'>,
  where: { namespace: string; objectName: string },
  hostKey: SshHostKey,
  options: { host?: string; attempts: number; everyMs: number; still: () => boolean },
): Promise<DevMachineSsh | undefined> {
  const { namespace, objectName } = where;
  for (let attempt = 0; attempt < options.attempts && options.still(); attempt++) {
    const [service, pod] = await Promise.all([
      cluster.read<SshServiceStatus & KubernetesObject>({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: sshServiceName(objectName), namespace },
      }),
      cluster.read<PodObject & KubernetesObject>({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${objectName}-0`, namespace },
      }),
    ]);
    const ssh = podSshAddress(service, pod, hostKey, options.host);
    if (ssh) return ssh;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
  return undefined;
}

export const hostKeySecretName = (objectName: string) => `${objectName}-ssh-host`;
const HOST_KEY_PUBLIC = 'ssh_host_ed25519_key.pub';

/**
 * The machine's host key: made at its first start with SSH, then kept in a Secret of its own
 * (which stopping leaves, and deleting the machine removes), so its fingerprint stays the same.
 */
export async function keptHostKey(
  cluster: Pick<KubeCluster, 'read' | 'create' | 'delete'>,
  machine: { id: string; owner: string },
  namespace: string,
): Promise<SshHostKey> {
  const name = hostKeySecretName(devMachineObjectName(machine.id));
  const where = { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } };
  const kept = await cluster.read<KubernetesObject & { data?: Record<string, string> }>(where);
  const field = (key: string) => {
    const value = kept?.data?.[key];
    return value === undefined ? undefined : Buffer.from(value, 'base64').toString();
  };
  const privateKey = field(SSH_SECRET_KEYS.hostKey);
  const publicKey = field(HOST_KEY_PUBLIC)?.trim();
  const blob = publicKey?.split(' ')[1];
  if (privateKey && publicKey && blob) return { privateKey, publicKey, fingerprint: sshFingerprint(blob) };
  if (kept) await cluster.delete(where);
  const made = sshHostKey(`aiplat-devmachine-${machine.id}`);
  await cluster.create({
    ...where,
    metadata: {
      name,
      namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [DEV_MACHINE_LABEL]: labelValue(machine.id),
        [LABELS.user]: labelValue(machine.owner),
      },
    },
    type: 'Opaque',
    stringData: { [SSH_SECRET_KEYS.hostKey]: made.privateKey, [HOST_KEY_PUBLIC]: made.publicKey },
  } as KubernetesObject);
  return made;
}
