import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../../testing/src/devMachines.js';
import { FakeApiServer, type KubeObject } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { KubernetesConfigSchema } from '../config.js';
import { putDevMachinePod } from '../../../../../testing/src/kubernetes/devMachinePods.js';

/*
 * SSH into a dev machine on the Kubernetes engine, against the fake API server: the owner's keys
 * and the machine's host key go into its Secret, a NodePort Service stands in front
 * of the pod's port 22, and once the pod runs the address (its node, the Service's node port) and
 * the host key's fingerprint are shown; stopping removes the Service, and the host key is kept until
 * the machine is deleted.
 */

const NS = 'aiplat-alice';
const OWNER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
let fake: FakeApiServer;
let fx: PlatformFixture;

beforeAll(async () => {
  fake = await FakeApiServer.start({ namespaces: ['default', NS] });
  fx = await startPlatform(
    {
      engine: 'local',
      kubernetes: KubernetesConfigSchema.parse({ enabled: true, devMachineImage: 'registry.example.com/dm:1' }),
      devMachines: { startDefault: false, kubernetesPollMs: 50 },
    },
    { kubeConfig: fake.kubeConfig() },
  );
});
afterAll(async () => {
  await fx?.close();
  await fake?.close();
});

describe('SSH on the Kubernetes engine', () => {
  it('puts the keys in the Secret, fronts port 22 with a NodePort Service, and shows the address and host key', async () => {
    const client = fx.client();
    await client.addSshKey({ body: { name: 'laptop', publicKey: `${OWNER_KEY} alice@laptop` } });
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'k8s-ssh',
          engine: 'kubernetes',
          resources: { cpu: 1, memory: '1Gi' },
          ssh: { enabled: true },
        },
      },
    });
    const id = created.id;
    const secret = fake.get('v1', 'Secret', NS, `${id}-ide`) as KubeObject & { data: Record<string, string> };
    const decoded = (key: string) => Buffer.from(secret.data[key]!, 'base64').toString();
    expect(decoded('authorized_keys')).toBe(`${OWNER_KEY}\n`);
    expect(decoded('ssh_host_ed25519_key')).toContain('-----BEGIN OPENSSH PRIVATE KEY-----');
    const service = fake.get('v1', 'Service', NS, `${id}-ssh`) as KubeObject & {
      spec: { type: string; ports: { name: string; port: number; nodePort?: number }[] };
    };
    expect(service.spec.type).toBe('NodePort');
    // The cluster gives the Service its node port.
    fake.apply({ ...service, spec: { ...service.spec, ports: [{ ...service.spec.ports[0]!, nodePort: 31022 }] } });

    putDevMachinePod(fake, NS, id, { ready: true, hostIP: '10.0.0.7' });
    await waitForDevMachine(client, id, ['Running'], 10_000);
    await expect
      .poll(async () => (await client.getDevMachine({ params: { id } })).ssh?.command)
      .toBe('ssh -p 31022 root@10.0.0.7');
    const { ssh } = await client.getDevMachine({ params: { id } });
    // The fingerprint shown is the host key's in the Secret, as ssh-keygen reads it.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-k8s-ssh-'));
    try {
      const file = path.join(dir, 'key');
      await writeFile(file, decoded('ssh_host_ed25519_key'), { mode: 0o600 });
      const fingerprint = execFileSync('ssh-keygen', ['-lf', file], { encoding: 'utf8' }).split(' ')[1];
      expect(ssh).toMatchObject({ host: '10.0.0.7', port: 31022, user: 'root', hostKeyFingerprint: fingerprint });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const { events } = await client.devMachineEvents({ params: { id } });
    expect(events.find((event) => event.type === 'ssh-started')?.message).toContain('ssh -p 31022 root@10.0.0.7');

    await client.stopDevMachine({ params: { id }, body: {} });
    const stopped = await waitForDevMachine(client, id, ['Stopped'], 10_000);
    expect(stopped.ssh).toBeUndefined();
    expect(fake.get('v1', 'Service', NS, `${id}-ssh`)).toBeUndefined();
    expect(fake.get('v1', 'Secret', NS, `${id}-ide`)).toBeUndefined();

    // Started again, it has the same host key (kept in a Secret of its own until it is deleted).
    await client.startDevMachine({ params: { id }, body: {} });
    const again = fake.get('v1', 'Secret', NS, `${id}-ide`) as KubeObject & { data: Record<string, string> };
    expect(again.data['ssh_host_ed25519_key']).toBe(secret.data['ssh_host_ed25519_key']);
    await client.stopDevMachine({ params: { id }, body: {} });
    await waitForDevMachine(client, id, ['Stopped'], 10_000);
    expect(fake.get('v1', 'Secret', NS, `${id}-ssh-host`)).toBeDefined();
    await client.deleteDevMachine({ params: { id } });
    await expect.poll(() => fake.get('v1', 'Secret', NS, `${id}-ssh-host`)).toBeUndefined();
  });
});
