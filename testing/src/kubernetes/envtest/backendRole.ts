import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  loadAllYaml,
  RbacAuthorizationV1Api,
  type KubeConfig,
  type KubernetesObject,
  type V1ClusterRole,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import type { Recorded } from './recordingProxy.js';

/*
 * The backend's ClusterRole as the operator guide installs it (deploy/kubernetes/backend.yaml),
 * bound to an envtest user, and the RBAC view of what a client asked: the tests run the engine with
 * exactly this role, so a missing grant is a 403 they see and a grant nothing needs is a finding.
 */

export const BACKEND_YAML = fileURLToPath(new URL('../../../../deploy/kubernetes/backend.yaml', import.meta.url));

/** Creates backend.yaml's ClusterRole (as the admin of `kubeConfig`) and binds it to `user`; returns the role. */
export async function applyBackendRole(kubeConfig: KubeConfig, user: string): Promise<V1ClusterRole> {
  const docs = loadAllYaml(readFileSync(BACKEND_YAML, 'utf8')) as KubernetesObject[];
  const clusterRole = docs.find((d) => d.kind === 'ClusterRole') as V1ClusterRole | undefined;
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding') as { roleRef: { name: string } } | undefined;
  if (!clusterRole || !binding) throw new Error(`${BACKEND_YAML} has no ClusterRole and ClusterRoleBinding`);
  await bindClusterRole(kubeConfig, clusterRole, user, `${binding.roleRef.name}-test`);
  return clusterRole;
}

/** Creates ClusterRole `role` (as the admin of `kubeConfig`) and binds it to `user`, cluster-wide. */
export async function bindClusterRole(
  kubeConfig: KubeConfig,
  role: V1ClusterRole,
  user: string,
  bindingName: string = role.metadata?.name ?? user,
): Promise<void> {
  const rbac = kubeConfig.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createClusterRole({ body: role });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: bindingName },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata?.name ?? '' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    },
  });
}

/** Every `verb group/resource` the role grants. */
export function grantsOf(role: V1ClusterRole): string[] {
  return (role.rules ?? []).flatMap((rule: V1PolicyRule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${verb} ${group}/${resource}`)),
    ),
  );
}

/** `verb group/resource[/subresource]` of a request, as RBAC sees it; undefined for discovery. */
export function rbacRequest({ method, path }: Pick<Recorded, 'method' | 'path'>): string | undefined {
  const url = new URL(path, 'http://x');
  const parts = url.pathname.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const group = parts[0] === 'api' ? '' : (parts[1] ?? '');
  if (rest.length === 0) return undefined;
  const [resource, name, sub] = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  const watch = url.searchParams.get('watch') === 'true';
  const verb =
    { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method] ??
    (watch ? 'watch' : name ? 'get' : 'list');
  return `${verb} ${group}/${resource}${sub ? `/${sub}` : ''}`;
}

/** What the recorded requests asked, as RBAC sees it, with the statuses each got. */
export function rbacUse(requests: readonly Recorded[]): Map<string, number[]> {
  const used = new Map<string, number[]>();
  for (const request of requests) {
    const what = rbacRequest(request);
    if (what) used.set(what, [...(used.get(what) ?? []), request.status]);
  }
  return used;
}

/** The requests the API server refused with 403. */
export function refused(requests: readonly Recorded[]): string[] {
  return [...rbacUse(requests)].filter(([, statuses]) => statuses.includes(403)).map(([what]) => what);
}
