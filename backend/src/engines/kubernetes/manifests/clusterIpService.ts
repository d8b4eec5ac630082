import type { ObjectMeta } from './common.js';

/** A port of a ClusterIP Service: its name, the port it answers on, and the pods' port it goes to. */
export interface ClusterIpPort {
  name: string;
  port: number;
  /** A named container port, or a number. */
  targetPort: string | number;
}

export interface ClusterIpService {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type: 'ClusterIP';
    selector: Record<string, string>;
    ports: (ClusterIpPort & { protocol: 'TCP' })[];
  };
}

/** A ClusterIP Service in front of the selected pods (a version's replicas, a dev machine, a TensorBoard). */
export function clusterIpService(
  metadata: ObjectMeta,
  selector: Record<string, string>,
  ports: readonly ClusterIpPort[],
): ClusterIpService {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector,
      ports: ports.map(({ name, port, targetPort }) => ({ name, port, targetPort, protocol: 'TCP' })),
    },
  };
}
