import type { ObjectMeta } from './common.js';

/** The labels of the backend's pods (deploy/kubernetes/backend.yaml), the only ones let through to what the platform proxies. */
export const BACKEND_POD_LABELS = { 'app.kubernetes.io/name': 'aiplat-backend' } as const;

export interface BackendOnlyPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: ObjectMeta;
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ['Ingress'];
    ingress: {
      /** Left out: from anywhere (a port that asks for its own credentials, like a dev machine's sshd). */
      from?: {
        namespaceSelector: { matchLabels: Record<string, string> };
        podSelector: { matchLabels: Record<string, string> };
      }[];
      ports: { port: string | number; protocol: 'TCP' }[];
    }[];
  };
}

/**
 * A NetworkPolicy that lets only the backend's pods (in `backendNamespace`) reach `ports` of the
 * selected pods: for what trusts whoever reaches it (code-server without a password, TensorBoard),
 * reached by users only through the platform's authenticated proxy.
 */
export function backendOnlyPolicy(
  metadata: ObjectMeta,
  podLabels: Record<string, string>,
  ports: readonly (string | number)[],
  backendNamespace = 'aiplat-system',
): BackendOnlyPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata,
    spec: {
      podSelector: { matchLabels: { ...podLabels } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': backendNamespace } },
              podSelector: { matchLabels: { ...BACKEND_POD_LABELS } },
            },
          ],
          ports: ports.map((port) => ({ port, protocol: 'TCP' })),
        },
      ],
    },
  };
}
