import { describe, expect, it } from 'vitest';
import { DevMachineSpecSchema } from '@aiplat/api';
import { coreValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import { KubernetesConfigSchema, manifestOptionsFor } from '../config.js';
import type { CloneRequest } from '../../../devmachines/engine.js';
import { devMachineManifests } from './devMachineManifests.js';
import { repositoryObservation, repositoryStatuses } from './devMachineRepositories.js';

const config = KubernetesConfigSchema.parse({ enabled: true, queues: { default: { localQueue: 'lq-default' } } });
const KEY =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';
const REPOSITORIES: CloneRequest[] = [
  { url: 'https://git.example.com/team/models.git', branch: 'dev', folder: 'models' },
  {
    url: 'https://git.example.com/team/private.git',
    folder: 'private',
    credential: { kind: 'token', username: 'alice', token: 'glpat-secret' },
  },
  { url: 'git@git.example.com:team/tools.git', folder: 'tools', credential: { kind: 'ssh-key', privateKey: KEY } },
];

function build(repositories?: CloneRequest[]) {
  const id = 'dm-1a2b3c4d5e';
  const spec = DevMachineSpecSchema.parse({
    name: 'box',
    image: 'registry.example.com/aiplat/devmachine:1',
    resources: { cpu: 1, memory: '1Gi' },
    workingDir: 'home/project',
  });
  return devMachineManifests(
    { id, owner: 'alice', spec },
    { ideToken: 'ide-secret', ...(repositories ? { repositories } : {}) },
    { base: manifestOptionsFor(config, { user: 'alice', jobId: id, queue: 'default' }), cloneTimeoutSeconds: 120 },
  );
}

describe('the repositories of a dev machine on Kubernetes', () => {
  it('go into its Secret with their credentials, mounted a folder per repository for the entrypoint', () => {
    const objects = build(REPOSITORIES);
    for (const object of objects) {
      expect(coreValidator(object.kind).validate(object), object.kind).toEqual({ valid: true, errors: [] });
    }
    const [secret, , , statefulSet] = objects;
    expect(secret.stringData).toMatchObject({
      'repository-1-url': 'https://git.example.com/team/models.git',
      'repository-1-branch': 'dev',
      'repository-1-folder': 'models',
      'repository-2-username': 'alice',
      'repository-2-token': 'glpat-secret',
      'repository-3-ssh-key': KEY,
    });
    const pod = statefulSet.spec.template.spec;
    const volume = pod.volumes.find((v) => v.name === 'repositories');
    expect(volume?.secret?.defaultMode).toBe(0o400);
    expect(volume?.secret?.items).toContainEqual({ key: 'repository-2-token', path: '2/token' });
    expect(volume?.secret?.items).toContainEqual({ key: 'repository-3-ssh-key', path: '3/ssh-key' });
    const [container] = pod.containers;
    expect(container!.volumeMounts).toContainEqual({
      name: 'repositories',
      mountPath: '/etc/aiplat/repositories',
      readOnly: true,
    });
    expect(container!.env).toEqual(
      expect.arrayContaining([
        { name: 'AIPLAT_REPOSITORIES_DIR', value: '/etc/aiplat/repositories' },
        { name: 'AIPLAT_CLONE_TIMEOUT', value: '120' },
      ]),
    );
    // The secrets are in the Secret only.
    expect(JSON.stringify(statefulSet)).not.toContain('glpat-secret');
    expect(JSON.stringify(statefulSet)).not.toContain('b3BlbnNzaC1rZXktdjE');
  });

  it('add nothing to a start without repositories', () => {
    const [secret, , , statefulSet] = build();
    expect(Object.keys(secret.stringData).filter((key) => key.startsWith('repository-'))).toEqual([]);
    expect(statefulSet.spec.template.spec.volumes.map((v) => v.name)).not.toContain('repositories');
  });

  it('are reported from the entrypoint’s lines', () => {
    const at = new Date('2026-01-02T03:04:05Z');
    const text = [
      'aiplat-repository: cloned https://git.example.com/team/models.git',
      'aiplat-repository: failed https://git.example.com/team/private.git fatal: Authentication failed',
      'aiplat-repository: cloned https://elsewhere.example.com/unknown.git',
      'noise',
    ].join('\n');
    const statuses = repositoryStatuses(text, REPOSITORIES, 'home/project', at);
    expect(statuses).toEqual([
      {
        url: 'https://git.example.com/team/models.git',
        path: 'home/project/models',
        state: 'cloned',
        at: at.toISOString(),
      },
      {
        url: 'https://git.example.com/team/private.git',
        path: 'home/project/private',
        state: 'failed',
        message: 'fatal: Authentication failed',
        at: at.toISOString(),
      },
    ]);
    expect(repositoryObservation(statuses[1]!).event).toEqual({
      type: 'repository-failed',
      message:
        'Could not clone https://git.example.com/team/private.git into home/project/private: fatal: Authentication failed',
    });
  });
});
