import type { JobMode } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { coreValidator, crdValidator, type CrdKind } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import type { ManifestOptions } from './common.js';
import { buildManifests, crdFor, manifestsYaml } from './index.js';
import { RAY_SUBMITTER } from './ray.js';
import { modeSpecs, testOptions } from '../../../../../testing/src/kubernetes/manifestOptions.js';

/** One spec per mode, each with more than one kind of pod where the mode has them. */
const SPECS = modeSpecs();

const MODES = Object.keys(SPECS) as JobMode[];
const options = testOptions('alice', 'job-20261123-0009');
const placed: ManifestOptions = {
  ...options,
  localQueue: 'team-a100',
  nodeSelector: { 'node.kubernetes.io/instance-type': 'a100', pool: 'train' },
  tolerations: [
    { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 60 },
  ],
};

/** Every pod spec inside an object: whatever holds `containers` (or, in a TrainJob patch, volumes). */
function podSpecs(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.flatMap(podSpecs);
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  if ('containers' in object) return [object];
  return Object.values(object).flatMap(podSpecs);
}

const configMapSchema = coreValidator('ConfigMap');

describe('buildManifests', () => {
  it.each(MODES)('%s: the ConfigMap first, then the resource crdFor names, both valid', (mode) => {
    const [configMap, resource] = buildManifests(SPECS[mode], options);
    expect(configMap.kind).toBe('ConfigMap');
    expect(configMapSchema.validate(configMap)).toEqual({ valid: true, errors: [] });
    const crd = crdFor(mode);
    expect(resource.apiVersion).toBe(`${crd.group}/${crd.version}`);
    expect(resource.kind).toBe(crd.kind);
    expect(crdValidator(crd.kind as CrdKind, crd.version).validate(resource)).toEqual({ valid: true, errors: [] });
  });

  it.each(MODES)("%s: every pod gets the queue's node selector and tolerations, and stays valid", (mode) => {
    const [, resource] = buildManifests(SPECS[mode], placed);
    const pods = podSpecs(resource);
    expect(pods.length).toBeGreaterThan(mode === 'ddp' ? 0 : 1);
    for (const pod of pods) {
      expect(pod.nodeSelector).toEqual(placed.nodeSelector);
      expect(pod.tolerations).toEqual(placed.tolerations);
    }
    const crd = crdFor(mode);
    expect(crdValidator(crd.kind as CrdKind, crd.version).validate(resource)).toEqual({ valid: true, errors: [] });
    expect(resource.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('team-a100');
  });

  it.each(MODES)(
    '%s: every container gets AIPLAT_SUMMARY_DIR and the same folder at /opt/ml/summary, and stays valid',
    (mode) => {
      for (const [summaryDir, claim, subPath, path] of [
        [undefined, 'home-alice', 'summaries/job-20261123-0009', '/work/home/alice/summaries/job-20261123-0009'],
        ['cache/runs/demo', 'work-cache', 'runs/demo', '/work/cache/runs/demo'],
      ] as const) {
        const [, resource] = buildManifests({ ...SPECS[mode], summaryDir }, options);
        // KubeRay's submitter only runs `ray job submit`; the entrypoint runs in the head.
        const containers = podSpecs(resource)
          .flatMap((pod) => pod.containers as Record<string, unknown>[])
          .filter((container) => container.name !== RAY_SUBMITTER);
        expect(containers.length).toBeGreaterThan(0);
        for (const container of containers) {
          expect(container.volumeMounts).toContainEqual({
            name: 'aiplat-summary',
            mountPath: '/opt/ml/summary',
            subPath,
          });
        }
        // Its own volume of the same claim: a TrainJob's runtime patch keys mounts by volume name.
        for (const pod of podSpecs(resource).filter((p) => Array.isArray(p.volumes))) {
          expect(pod.volumes).toContainEqual({ name: 'aiplat-summary', persistentVolumeClaim: { claimName: claim } });
          const names = (pod.containers as { volumeMounts?: { name: string }[] }[]).flatMap((c) =>
            (c.volumeMounts ?? []).map((m) => m.name),
          );
          expect(new Set(names).size, JSON.stringify(names)).toBe(names.length);
        }
        // A TrainJob gives the trainer's env to its pods; its runtime patch carries only the mounts.
        const envs = resource.kind === 'TrainJob' ? [resource.spec.trainer.env] : containers.map((c) => c.env);
        for (const env of envs) expect(env).toContainEqual({ name: 'AIPLAT_SUMMARY_DIR', value: path });
        const crd = crdFor(mode);
        expect(crdValidator(crd.kind as CrdKind, crd.version).validate(resource)).toEqual({ valid: true, errors: [] });
      }
    },
  );

  it.each(MODES)(
    '%s: each dataset and model is mounted read-only under /opt/ml/input and named by its variable',
    (mode) => {
      const inputs = [
        {
          kind: 'dataset' as const,
          ref: 'alpaca-zh@v2',
          env: 'AIPLAT_DATASET_ALPACA_ZH',
          path: 'home/.catalog/datasets/alpaca-zh/v2',
          accelerated: false,
        },
        {
          kind: 'dataset' as const,
          ref: 'images@v1',
          env: 'AIPLAT_DATASET_IMAGES',
          path: 'cache/.accelerated/bob/datasets/images/v1',
          accelerated: true,
        },
        {
          kind: 'model' as const,
          ref: 'tiny@v3',
          env: 'AIPLAT_MODEL_TINY',
          path: 'home/.catalog/shared/models/tiny/v3',
          accelerated: false,
        },
      ];
      const [, resource] = buildManifests(SPECS[mode], { ...options, inputs });
      const containers = podSpecs(resource)
        .flatMap((pod) => pod.containers as Record<string, unknown>[])
        .filter((container) => container.name !== RAY_SUBMITTER);
      for (const container of containers) {
        expect(container.volumeMounts).toContainEqual({
          name: 'aiplat-input-0',
          mountPath: '/opt/ml/input/data/alpaca-zh',
          subPath: '.catalog/datasets/alpaca-zh/v2',
          readOnly: true,
        });
        expect(container.volumeMounts).toContainEqual({
          name: 'aiplat-input-1',
          mountPath: '/opt/ml/input/data/images',
          subPath: '.accelerated/bob/datasets/images/v1',
          readOnly: true,
        });
        expect(container.volumeMounts).toContainEqual({
          name: 'aiplat-input-2',
          mountPath: '/opt/ml/input/models/tiny',
          subPath: '.catalog/shared/models/tiny/v3',
          readOnly: true,
        });
      }
      const envs = resource.kind === 'TrainJob' ? [resource.spec.trainer.env] : containers.map((c) => c.env);
      for (const env of envs) {
        expect(env).toContainEqual({ name: 'AIPLAT_DATASET_ALPACA_ZH', value: '/opt/ml/input/data/alpaca-zh' });
        expect(env).toContainEqual({ name: 'AIPLAT_DATASET_IMAGES', value: '/opt/ml/input/data/images' });
        expect(env).toContainEqual({ name: 'AIPLAT_MODEL_TINY', value: '/opt/ml/input/models/tiny' });
      }
      const crd = crdFor(mode);
      expect(crdValidator(crd.kind as CrdKind, crd.version).validate(resource)).toEqual({ valid: true, errors: [] });
    },
  );

  it.each(MODES)('%s: no placement fields when the queue has none', (mode) => {
    const [, resource] = buildManifests(SPECS[mode], { ...options, nodeSelector: {}, tolerations: [] });
    for (const pod of podSpecs(resource)) {
      expect(pod).not.toHaveProperty('nodeSelector');
      expect(pod).not.toHaveProperty('tolerations');
    }
    expect(resource.metadata.labels['kueue.x-k8s.io/queue-name']).toBe('default');
  });
});

describe('crdFor', () => {
  it('names the resource and its operator for every mode', () => {
    expect(crdFor('ddp')).toEqual({
      group: 'trainer.kubeflow.org',
      version: 'v1alpha1',
      plural: 'trainjobs',
      kind: 'TrainJob',
      operator: 'Kubeflow Trainer v2',
    });
    expect(crdFor('mpi')).toMatchObject({ group: 'kubeflow.org', version: 'v2beta1', plural: 'mpijobs' });
    expect(crdFor('horovod')).toEqual(crdFor('mpi'));
    expect(crdFor('deepspeed')).toMatchObject({ kind: 'TrainJob', plural: 'trainjobs' });
    expect(crdFor('deepspeed').operator).toMatch(/deepspeed-distributed/);
    expect(crdFor('ps-worker')).toMatchObject({ group: 'jobset.x-k8s.io', version: 'v1alpha2', plural: 'jobsets' });
    expect(crdFor('ray')).toMatchObject({ group: 'ray.io', version: 'v1', plural: 'rayjobs', kind: 'RayJob' });
  });
});

describe('manifestsYaml', () => {
  it('writes one YAML document per object, in order, that reads back as the same objects', () => {
    const objects = buildManifests(SPECS.ray, placed);
    const text = manifestsYaml(objects);
    const docs = parseAllDocuments(text);
    expect(Array.isArray(docs) && docs.map((d) => d.toJS() as unknown)).toEqual(JSON.parse(JSON.stringify(objects)));
    expect(text.match(/^---$/gm)).toHaveLength(1);
    expect(text).not.toMatch(/[&*]a\d/);
  });

  it('keeps long and multi-line commands on their own lines, unfolded', () => {
    const long = `python train.py ${'--flag value '.repeat(20)}\necho done`;
    const objects = buildManifests({ ...SPECS.ddp, command: long }, options);
    const [doc] = parseAllDocuments(manifestsYaml(objects)).slice(1);
    expect((doc?.toJS() as { spec: { trainer: { command: string[] } } }).spec.trainer.command[3]).toBe(long);
  });
});
