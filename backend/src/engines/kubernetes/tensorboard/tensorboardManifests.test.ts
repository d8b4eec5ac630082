import { describe, expect, it } from 'vitest';
import { coreValidator, crdValidator } from '../../../../../testing/src/kubernetes/crds/crdValidator.js';
import {
  kubeflowTensorboard,
  tensorboardManifests,
  tensorboardServiceHost,
  type TensorBoardManifestInput,
  type TensorBoardObject,
} from './tensorboardManifests.js';

const input: TensorBoardManifestInput = {
  id: 'tb-1a2b3c4d5e',
  user: 'alice',
  path: 'home/summaries/job-20261205-0001',
  namespace: 'aiplat-alice',
  claims: { home: 'aiplat-home-alice', cache: 'aiplat-cache', mount: 'aiplat-mount' },
  image: 'tensorflow/tensorflow:2.17.0',
};

/** Each object against the real schema of its kind: Kubeflow's CRD, or the Kubernetes v1.35 OpenAPI. */
function expectValid(objects: readonly TensorBoardObject[]) {
  for (const object of objects) {
    const validator =
      object.kind === 'Tensorboard' ? crdValidator('Tensorboard', 'v1alpha1') : coreValidator(object.kind);
    expect(validator.validate(object), `${object.kind}`).toEqual({ valid: true, errors: [] });
  }
}

describe('TensorBoard manifests', () => {
  it("as Kubeflow's Tensorboard where served: the folder as pvc://<claim>/<path>, behind a backend-only policy", () => {
    const objects = tensorboardManifests(input, true);
    expect(objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Tensorboard']);
    expectValid(objects);
    expect(kubeflowTensorboard(input).spec.logspath).toBe('pvc://aiplat-home-alice/summaries/job-20261205-0001');
    expect(kubeflowTensorboard({ ...input, path: 'cache/runs' }).spec.logspath).toBe('pvc://aiplat-cache/runs');
    const [policy] = objects;
    expect(policy).toMatchObject({
      metadata: { name: 'tb-1a2b3c4d5e', namespace: 'aiplat-alice' },
      spec: {
        podSelector: { matchLabels: { app: 'tb-1a2b3c4d5e' } },
        ingress: [{ ports: [{ port: 6006, protocol: 'TCP' }] }],
      },
    });
  });

  it('otherwise a Deployment running TensorBoard over the folder, read-only, and its Service on port 80', () => {
    const objects = tensorboardManifests(input, false);
    expect(objects.map((o) => o.kind)).toEqual(['NetworkPolicy', 'Service', 'Deployment']);
    expectValid(objects);
    const service = objects[1] as Extract<TensorBoardObject, { kind: 'Service' }>;
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 6006, protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual({ app: 'tb-1a2b3c4d5e' });
    const deployment = objects[2] as Extract<TensorBoardObject, { kind: 'Deployment' }>;
    const pod = deployment.spec.template;
    expect(pod.metadata.labels).toMatchObject({ app: 'tb-1a2b3c4d5e' });
    const [container] = pod.spec.containers;
    expect(container).toMatchObject({
      image: 'tensorflow/tensorflow:2.17.0',
      command: ['tensorboard'],
      args: ['--logdir=/tensorboard_logs', '--bind_all', '--port=6006'],
      volumeMounts: [
        { name: 'logs', mountPath: '/tensorboard_logs', readOnly: true, subPath: 'summaries/job-20261205-0001' },
      ],
    });
    expect(pod.spec.volumes).toEqual([{ name: 'logs', persistentVolumeClaim: { claimName: 'aiplat-home-alice' } }]);
    expect(tensorboardServiceHost(input.id, input.namespace)).toBe('tb-1a2b3c4d5e.aiplat-alice.svc');
  });
});
