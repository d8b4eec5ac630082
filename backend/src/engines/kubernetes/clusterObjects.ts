/*
 * The shapes of the cluster objects the engine reads (custom resources, Kueue's Workload, pods), as
 * far as the state mapping looks into them.
 */

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string }[];
  deletionTimestamp?: string | Date;
  creationTimestamp?: string | Date;
}

/**
 * When an object was created, in ms since the epoch (0 when unknown). Objects the client has read
 * carry a Date, watched ones a string; String(date) ("Thu Sep 03 2026 …") would not sort by time.
 */
export function createdAtMs(object: { metadata?: Pick<ObjectMeta, 'creationTimestamp'> }): number {
  const at = object.metadata?.creationTimestamp;
  const ms = at === undefined ? 0 : new Date(at).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

export interface ClusterObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface ContainerStatus {
  name: string;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string | Date };
    terminated?: { exitCode: number; signal?: number; reason?: string; message?: string };
  };
  lastState?: ContainerStatus['state'];
  restartCount?: number;
}

export interface PodObject {
  metadata?: ObjectMeta;
  spec?: { nodeName?: string; containers?: { name: string }[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    podIP?: string;
    /** The node's address (a NodePort Service answers there). */
    hostIP?: string;
    containerStatuses?: ContainerStatus[];
    conditions?: Condition[];
  };
}
