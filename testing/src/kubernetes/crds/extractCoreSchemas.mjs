// Writes kubernetes-openapi-core.json: the `definitions` of the core kinds the manifest tests check
// (coreValidator in crdValidator.ts) and everything they refer to, taken unchanged from a
// Kubernetes OpenAPI v2 document. Usage (see README.md):
//   node testing/src/kubernetes/crds/extractCoreSchemas.mjs /work/shared/k8s-schemas/kubernetes-openapi/swagger-v1.35.0.json
import { readFileSync, writeFileSync } from 'node:fs';

const ROOTS = [
  'io.k8s.api.core.v1.ConfigMap',
  'io.k8s.api.core.v1.Secret',
  'io.k8s.api.core.v1.Service',
  'io.k8s.api.apps.v1.StatefulSet',
  'io.k8s.api.networking.v1.NetworkPolicy',
  // What deploy/kubernetes/backend.yaml holds.
  'io.k8s.api.core.v1.Namespace',
  'io.k8s.api.core.v1.ServiceAccount',
  'io.k8s.api.core.v1.PersistentVolumeClaim',
  'io.k8s.api.apps.v1.Deployment',
  'io.k8s.api.rbac.v1.ClusterRole',
  'io.k8s.api.rbac.v1.ClusterRoleBinding',
];

const source = process.argv[2];
if (!source) throw new Error('usage: extractCoreSchemas.mjs <swagger.json>');
const { definitions } = JSON.parse(readFileSync(source, 'utf8'));

function* refsIn(value) {
  if (Array.isArray(value)) for (const item of value) yield* refsIn(item);
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') yield inner.split('/').pop();
      else yield* refsIn(inner);
    }
  }
}

const kept = new Set();
const pending = [...ROOTS];
while (pending.length > 0) {
  const name = pending.pop();
  if (kept.has(name)) continue;
  if (!definitions[name]) throw new Error(`${source} has no definition ${name}`);
  kept.add(name);
  pending.push(...refsIn(definitions[name]));
}
const out = Object.fromEntries([...kept].sort().map((name) => [name, definitions[name]]));
writeFileSync(new URL('./kubernetes-openapi-core.json', import.meta.url), `${JSON.stringify({ definitions: out })}\n`);
console.log(`${kept.size} definitions from ${source}`);
