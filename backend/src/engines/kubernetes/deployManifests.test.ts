import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { DevMachineSpecSchema, JOB_MODES } from '@aiplat/api';
import { coreValidator, CORE_KINDS, type CoreKind } from '../../../../testing/src/kubernetes/crds/crdValidator.js';
import { ConfigSchema } from '../../config.js';
import { manifestOptionsFor } from './config.js';
import { devMachineManifests } from './devmachines/devMachineManifests.js';
import { BACKEND_POD_LABELS } from './manifests/backendOnlyPolicy.js';
import { crdFor } from './manifests/index.js';

/*
 * deploy/kubernetes/backend.yaml, the backend in a cluster: every object passes the real schemas,
 * its example config is one the backend accepts, the backend's pods carry the label dev machines'
 * NetworkPolicies let through, and its ClusterRole lets it create what the engines create.
 */

const FILE = new URL('../../../../deploy/kubernetes/backend.yaml', import.meta.url);
type KubeDoc = { apiVersion: string; kind: string; metadata: { name: string }; [key: string]: unknown };
const objects = parseAllDocuments(readFileSync(FILE, 'utf8')).map((doc) => doc.toJS() as KubeDoc);
const byKind = (kind: string) => objects.filter((o) => o.kind === kind);

const PLURALS: Record<string, string> = {
  Secret: 'secrets',
  Service: 'services',
  NetworkPolicy: 'networkpolicies',
  StatefulSet: 'statefulsets',
};

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

describe('deploy/kubernetes/backend.yaml', () => {
  it('holds objects every one of which the Kubernetes v1.35 schemas accept', () => {
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'Secret',
      'PersistentVolumeClaim',
      'PersistentVolumeClaim',
      'Deployment',
      'Service',
    ]);
    for (const object of objects) {
      expect(Object.keys(CORE_KINDS)).toContain(object.kind);
      expect(coreValidator(object.kind as CoreKind).validate(object), `${object.kind} ${object.metadata.name}`).toEqual(
        {
          valid: true,
          errors: [],
        },
      );
    }
  });

  it('configures the backend with a config it accepts: the Kubernetes engine, the proxy’s namespace, a dev machine image', () => {
    const secret = byKind('Secret')[0] as KubeDoc & { stringData: Record<string, string> };
    const config = ConfigSchema.parse(parse(secret.stringData['config.yaml']!));
    expect(config.engine).toBe('kubernetes');
    expect(config.kubernetes).toMatchObject({ enabled: true, backendNamespace: 'aiplat-system' });
    expect(config.kubernetes.devMachineImage).toBeDefined();
    const namespace = byKind('Namespace')[0]!.metadata.name;
    expect(config.kubernetes.backendNamespace).toBe(namespace);
    const deployment = byKind('Deployment')[0] as KubeDoc & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    expect(deployment.spec.template.metadata.labels).toMatchObject(BACKEND_POD_LABELS);
  });

  it('lets the backend create every kind the engines create, and follow pods, logs and Kueue', () => {
    const rules = (byKind('ClusterRole')[0] as KubeDoc & { rules: Rule[] }).rules;
    const can = (apiVersion: string, resource: string, verb: string) => {
      const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
      return rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
    };
    for (const mode of JOB_MODES) {
      const crd = crdFor(mode);
      for (const verb of ['create', 'get', 'delete', 'list', 'watch']) {
        expect(can(`${crd.group}/${crd.version}`, crd.plural, verb), `${verb} ${crd.plural}`).toBe(true);
      }
    }
    expect(can('v1', 'configmaps', 'create')).toBe(true);
    const config = ConfigSchema.parse({}).kubernetes;
    const spec = DevMachineSpecSchema.parse({ name: 'x', image: 'x:1', resources: { cpu: 1, memory: '1Gi' } });
    const base = manifestOptionsFor(config, { user: 'alice', jobId: 'dm-abcdef', queue: 'default' });
    for (const object of devMachineManifests({ id: 'dm-abcdef', owner: 'alice', spec }, { ideToken: 't' }, { base })) {
      const plural = PLURALS[object.kind] ?? object.kind;
      for (const verb of ['create', 'get', 'delete'])
        expect(can(object.apiVersion, plural, verb), `${verb} ${plural}`).toBe(true);
    }
    for (const [apiVersion, resource, verb] of [
      ['v1', 'pods', 'watch'],
      ['v1', 'pods', 'delete'],
      ['v1', 'pods/log', 'get'],
      ['v1', 'pods/exec', 'create'],
      ['v1', 'pods/exec', 'get'],
      ['v1', 'events', 'list'],
      ['kueue.x-k8s.io/v1beta2', 'workloads', 'watch'],
      ['metrics.k8s.io/v1beta1', 'pods', 'list'],
    ] as const) {
      expect(can(apiVersion, resource, verb), `${verb} ${resource}`).toBe(true);
    }
  });
});
