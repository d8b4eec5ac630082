import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type PlatformFixture } from '../../../../../testing/src/backend/platformFixture.js';
import { waitForDevMachine } from '../../../../../testing/src/devMachines.js';
import { FakeApiServer, type KubeObject } from '../../../../../testing/src/kubernetes/fakeApiServer/fakeApiServer.js';
import { KubernetesConfigSchema } from '../config.js';
import { putDevMachinePod } from '../../../../../testing/src/kubernetes/devMachinePods.js';
import { REPOSITORIES_STATUS_FILE } from '../devmachines/devMachineRepositories.js';

/*
 * A dev machine's Git repositories on the Kubernetes engine against the fake API server: the
 * repositories to clone (the token with them) go into the machine's Secret, and once the pod runs
 * the entrypoint's line per repository is read through the pod's exec and becomes its status.
 *
 * On the in-process fake API server (testing/src/kubernetes/fakeApiServer/, the pod put by
 * testing/src/kubernetes/devMachinePods.ts) for pod exec: the statuses are what `cat` of the
 * entrypoint's status file prints in the container, and a real kube-apiserver runs exec only
 * through a kubelet, which envtest does not run. The Secret's keys and the StatefulSet without the
 * token are asserted here on the way; the manifests with repositories pass the real server's
 * server-side dry run in realApiServer.e2e.test.ts.
 */

const NS = 'aiplat-alice';
const TOKEN = 'k8s-secret-token-0123456789';
let fake: FakeApiServer;
let fx: PlatformFixture;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-k8s-repositories-'));
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
  await rm(dir, { recursive: true, force: true });
});

describe('git repositories on the Kubernetes engine', () => {
  it('hands them to the pod in its Secret, and reports what the entrypoint says of each', async () => {
    const client = fx.client();
    await client.createGitCredential({ body: { kind: 'token', name: 'host', username: 'alice', token: TOKEN } });
    const publicUrl = 'https://git.example.com/team/models.git';
    const privateUrl = 'https://git.example.com/team/private.git';
    const created = await client.createDevMachine({
      body: {
        spec: {
          name: 'k8s-coder',
          engine: 'kubernetes',
          resources: { cpu: 1, memory: '1Gi' },
          workingDir: 'home',
          repositories: [
            { url: publicUrl, branch: 'dev' },
            { url: privateUrl, credential: 'host' },
          ],
        },
      },
    });
    const id = created.id;
    const secret = fake.get('v1', 'Secret', NS, `${id}-ide`) as KubeObject & { data: Record<string, string> };
    const decoded = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString();
    expect(decoded('repository-1-url')).toBe(publicUrl);
    expect(decoded('repository-1-branch')).toBe('dev');
    expect(decoded('repository-2-token')).toBe(TOKEN);
    expect(JSON.stringify(fake.get('apps/v1', 'StatefulSet', NS, id))).not.toContain(TOKEN);

    // What the entrypoint wrote in the container, where `cat` of its status file finds it.
    const status = path.join(dir, 'status');
    await writeFile(
      status,
      `aiplat-repository: cloned ${publicUrl}\naiplat-repository: failed ${privateUrl} fatal: Authentication failed for '${privateUrl}/'\n`,
    );
    fake.execRunner = ({ command }) =>
      command.join(' ') === `cat ${REPOSITORIES_STATUS_FILE}`
        ? { file: 'cat', args: [status] }
        : { file: command[0]!, args: command.slice(1) };
    putDevMachinePod(fake, NS, id, { ready: true });
    expect((await waitForDevMachine(client, id, ['Running', 'Failed'], 10_000)).state).toBe('Running');
    await expect
      .poll(async () =>
        (await client.getDevMachine({ params: { id } })).repositories?.map((r) => `${r.path} ${r.state}`),
      )
      .toEqual(['home/models cloned', 'home/private failed']);
    const { events } = await client.devMachineEvents({ params: { id } });
    expect(events.filter((e) => e.type.startsWith('repository-')).map((e) => e.message)).toEqual([
      `Cloned ${publicUrl} into home/models.`,
      `Could not clone ${privateUrl} into home/private: fatal: Authentication failed for '${privateUrl}/'`,
    ]);
    expect(fake.execs.map((exec) => exec.command)).toContainEqual(['cat', REPOSITORIES_STATUS_FILE]);

    await client.stopDevMachine({ params: { id }, body: {} });
    await waitForDevMachine(client, id, ['Stopped'], 10_000);
  });
});
