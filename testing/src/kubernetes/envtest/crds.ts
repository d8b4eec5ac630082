import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ApiextensionsV1Api,
  ApiException,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type KubeConfig,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';

/*
 * Installs the vendored upstream CRDs (../crds/*.yaml, the ones the manifest builders target) into a
 * real API server and waits until each is served.
 */

export const CRD_DIR = fileURLToPath(new URL('../crds/', import.meta.url));

/** Kueue's CRDs (by name, for installCrds' `only`). */
export const KUEUE_CRDS = [
  'clusterqueues',
  'localqueues',
  'resourceflavors',
  'workloadpriorityclasses',
  'workloads',
].map((plural) => `${plural}.kueue.x-k8s.io`);

/** The training operators' job kinds. KServe's and Kubeflow's TensorBoard CRDs are the others (KServe's is 2 MB: seconds to install). */
export const JOB_CRDS = [
  'trainjobs.trainer.kubeflow.org',
  'mpijobs.kubeflow.org',
  'jobsets.jobset.x-k8s.io',
  'rayjobs.ray.io',
];

/**
 * Every CustomResourceDefinition in the `.yaml` files of `dir`, as the client's typed model: its
 * serializer sends only the model's properties, and the model spells `x-kubernetes-validations`,
 * `default` and `enum` as `x_kubernetes_validations`, `_default` and `_enum`, so a CRD parsed as
 * plain YAML would arrive without its CEL rules, defaults and enums (or be refused).
 */
export function readCrds(dir: string = CRD_DIR): V1CustomResourceDefinition[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort();
  return files.flatMap((file) =>
    (loadAllYaml(readFileSync(path.join(dir, file), 'utf8')) as (V1CustomResourceDefinition | null)[]).filter(
      (doc): doc is V1CustomResourceDefinition => doc?.kind === 'CustomResourceDefinition',
    ),
  );
}

function established(crd: V1CustomResourceDefinition): boolean {
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

/**
 * Creates every CRD of `dir` (server-side apply when one exists), or only those named in `only`
 * (e.g. `inferenceservices.serving.kserve.io`), and resolves once each reports Established=True.
 */
export async function installCrds(
  kubeConfig: KubeConfig,
  options: { dir?: string; timeoutMs?: number; only?: readonly string[] } = {},
): Promise<string[]> {
  const crds = readCrds(options.dir).filter((crd) => !options.only || options.only.includes(crd.metadata?.name ?? ''));
  if (crds.length === 0) {
    throw new Error(
      `no CustomResourceDefinition${options.only ? ` named ${options.only.join(', ')}` : ''} in ${options.dir ?? CRD_DIR}`,
    );
  }
  const api = kubeConfig.makeApiClient(ApiextensionsV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kubeConfig);
  // Create (a fresh server has none); one already there is server-side applied over.
  await Promise.all(
    crds.map((crd) =>
      api
        .createCustomResourceDefinition({ body: crd })
        .catch((error: unknown) => {
          if (!(error instanceof ApiException) || error.code !== 409) throw error;
          return objects.patch(crd, undefined, undefined, 'aiplat-envtest', true, PatchStrategy.ServerSideApply);
        })
        .catch((error: unknown) => {
          const message = error instanceof ApiException ? String(error.body) : String(error);
          throw new Error(`the API server refused CRD ${crd.metadata?.name}: ${message}`);
        }),
    ),
  );
  const names = crds.map((crd) => crd.metadata!.name!);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const pending = new Set(names);
  for (;;) {
    for (const name of [...pending]) {
      if (established(await api.readCustomResourceDefinition({ name }))) pending.delete(name);
    }
    if (pending.size === 0) return names;
    if (Date.now() > deadline) {
      const conditions = await Promise.all(
        [...pending].map(async (name) => {
          const crd = await api.readCustomResourceDefinition({ name });
          return `${name}: ${JSON.stringify(crd.status?.conditions ?? [])}`;
        }),
      );
      throw new Error(
        `CRDs not Established within ${(options.timeoutMs ?? 30_000) / 1000} s:\n${conditions.join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
