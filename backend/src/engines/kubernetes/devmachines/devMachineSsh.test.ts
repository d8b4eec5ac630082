import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema } from '@aiplat/api';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema, manifestOptionsFor } from '../config.js';
import { devMachineManifests, type DevMachineObject } from './devMachineManifests.js';
import { podSshAddress, readPodSsh, SSH_MOUNT, sshHostKey } from './devMachineSsh.js';

const config = KubernetesConfigSchema.parse({ enabled: true, queues: { default: { localQueue: 'lq-default' } } });
const ID = 'dm-1a2b3c4d5e';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const hostKey = sshHostKey(`aiplat-devmachine-${ID}`);

function build(sshServiceType?: 'NodePort' | 'LoadBalancer') {
  const spec = DevMachineSpecSchema.parse({
    name: 'box',
    image: 'registry.example.com/aiplat/devmachine:1',
    resources: { cpu: 1, memory: '1Gi' },
    ssh: { enabled: true },
  });
  return devMachineManifests(
    { id: ID, owner: 'alice', spec },
    { ideToken: 'ide-secret-0123456789', ssh: { authorizedKeys: [KEY], hostKey } },
    {
      base: manifestOptionsFor(config, { user: 'alice', jobId: ID, queue: 'default' }),
      ...(sshServiceType ? { sshServiceType } : {}),
    },
  );
}

function expectValid(objects: readonly DevMachineObject[]) {
  for (const object of objects) {
    expect(coreValidator(object.kind).validate(object), `${object.kind} ${object.metadata.name}`).toEqual({
      valid: true,
      errors: [],
    });
  }
}

describe('the host key made for a pod', () => {
  it('is an OpenSSH ed25519 key ssh-keygen reads, with the fingerprint ssh-keygen shows', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-hostkey-'));
    try {
      const file = path.join(dir, 'key');
      await writeFile(file, hostKey.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
      expect(derived).toBe(`${hostKey.publicKey} aiplat-devmachine-${ID}`);
      await writeFile(`${file}.pub`, `${hostKey.publicKey}\n`);
      const shown = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1];
      expect(hostKey.fingerprint).toBe(shown);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect(sshHostKey('x').fingerprint).not.toBe(hostKey.fingerprint);
  });
});

describe('a dev machine with SSH enabled on Kubernetes', () => {
  it('mounts the keys from its Secret, opens port 22 to anyone, and has a NodePort Service (valid v1.35 objects)', () => {
    const objects = build();
    expectValid(objects);
    const [secret, , policy, statefulSet, service] = objects;
    expect(secret.stringData).toMatchObject({ authorized_keys: `${KEY}\n`, ssh_host_ed25519_key: hostKey.privateKey });
    const pod = statefulSet.spec.template.spec;
    expect(pod.volumes).toContainEqual({
      name: 'ssh',
      secret: {
        secretName: `${ID}-ide`,
        items: [
          { key: 'authorized_keys', path: 'authorized_keys' },
          { key: 'ssh_host_ed25519_key', path: 'ssh_host_ed25519_key' },
        ],
        defaultMode: 0o400,
      },
    });
    const [container] = pod.containers;
    expect(container!.volumeMounts).toContainEqual({ name: 'ssh', mountPath: SSH_MOUNT, readOnly: true });
    expect(container!.env).toContainEqual({ name: 'AIPLAT_SSH_DIR', value: SSH_MOUNT });
    expect(container!.ports).toContainEqual({ name: 'ssh', containerPort: 22, protocol: 'TCP' });
    // The IDEs stay the backend's only; sshd, which asks for a key, is open.
    expect(policy.spec.ingress).toHaveLength(2);
    expect(policy.spec.ingress[0]!.from).toBeDefined();
    expect(policy.spec.ingress[1]).toEqual({ ports: [{ port: 'ssh', protocol: 'TCP' }] });
    expect(service).toMatchObject({
      kind: 'Service',
      metadata: { name: `${ID}-ssh` },
      spec: { type: 'NodePort', ports: [{ name: 'ssh', port: 22, targetPort: 'ssh', protocol: 'TCP' }] },
    });
    expect(service!.spec.selector).toEqual(statefulSet.spec.selector.matchLabels);
  });

  it('takes a LoadBalancer Service when the operator says so', () => {
    const objects = build('LoadBalancer');
    expectValid(objects);
    expect(objects[4]!.spec.type).toBe('LoadBalancer');
  });

  it('has no SSH parts when SSH is off', () => {
    const spec = DevMachineSpecSchema.parse({ name: 'box', image: 'i:1', resources: { cpu: 1, memory: '1Gi' } });
    const objects = devMachineManifests(
      { id: ID, owner: 'alice', spec },
      { ideToken: 'ide-secret-0123456789' },
      { base: manifestOptionsFor(config, { user: 'alice', jobId: ID, queue: 'default' }) },
    );
    expect(objects).toHaveLength(4);
    expect(JSON.stringify(objects)).not.toContain('ssh');
  });
});

describe('the address users reach the pod’s sshd at', () => {
  const nodePort = { spec: { ports: [{ name: 'ssh', nodePort: 31022 }] } };
  const pod = { status: { hostIP: '10.0.0.7' } };

  it('is the node’s port on the pod’s node, or on the host the operator names', () => {
    expect(podSshAddress(nodePort, pod, hostKey, undefined)).toEqual({
      host: '10.0.0.7',
      port: 31022,
      user: 'root',
      command: 'ssh -p 31022 root@10.0.0.7',
      hostKeyFingerprint: hostKey.fingerprint,
      hostKeyType: 'ssh-ed25519',
    });
    expect(podSshAddress(nodePort, pod, hostKey, 'gpu.example.com')?.command).toBe('ssh -p 31022 root@gpu.example.com');
  });

  it('is port 22 of the load balancer once it has an address, and nothing before', () => {
    const balanced = { ...nodePort, status: { loadBalancer: { ingress: [{ ip: '203.0.113.5' }] } } };
    expect(podSshAddress(balanced, pod, hostKey, undefined)?.command).toBe('ssh root@203.0.113.5');
    expect(podSshAddress({ spec: { ports: [{ name: 'ssh' }] } }, pod, hostKey, undefined)).toBeUndefined();
    expect(podSshAddress(nodePort, { status: {} }, hostKey, undefined)).toBeUndefined();
  });

  it('is read from the cluster until there is one', async () => {
    let reads = 0;
    const cluster = {
      read: <T>(object: { kind: string }) => {
        if (object.kind === 'Service') reads++;
        return Promise.resolve((object.kind === 'Service' ? (reads > 1 ? nodePort : {}) : pod) as T);
      },
    };
    const where = { namespace: 'aiplat-alice', objectName: ID };
    const ssh = await readPodSsh(cluster, where, hostKey, { attempts: 5, everyMs: 1, still: () => true });
    expect(ssh?.port).toBe(31022);
    expect(reads).toBe(2);
    const never = await readPodSsh(cluster, where, hostKey, { attempts: 5, everyMs: 1, still: () => false });
    expect(never).toBeUndefined();
  });
});
