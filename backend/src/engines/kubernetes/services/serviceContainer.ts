import type { ServiceProbe, ServiceVersionSpec } from '@aiplat/api';
import { MODEL_MOUNT, pipEnv, type PipSettings, type PlainEnv } from '../../../services/replicaContainer.js';

export { MODEL_MOUNT, pipEnv, type PipSettings as PipEnvironment, type PlainEnv };

/*
 * The parts of a service version's container that are not volumes or resources: its probes as
 * Kubernetes writes them, pip's own environment variables for the operator's package index (those
 * that carry a password go through the version's Secret) and the variables every replica gets.
 * Pure functions.
 */

type ProbeAction =
  { httpGet: { path: string; port: number } } | { tcpSocket: { port: number } } | { exec: { command: string[] } };
export type KubeProbe = ProbeAction & {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

export type SecretEnv = { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };
export type ContainerEnv = PlainEnv | SecretEnv;

/** When the version names no readiness probe: a TCP connect to its port, every 2 seconds. */
const DEFAULT_READINESS: ServiceProbe = {
  type: 'tcp',
  initialDelaySeconds: 0,
  periodSeconds: 2,
  timeoutSeconds: 1,
  failureThreshold: 1,
};

export function kubeProbe(probe: ServiceProbe, port: number): KubeProbe {
  const target = probe.port ?? port;
  const action: ProbeAction =
    probe.type === 'http'
      ? { httpGet: { path: probe.path ?? '/', port: target } }
      : probe.type === 'tcp'
        ? { tcpSocket: { port: target } }
        : { exec: { command: ['/bin/sh', '-c', probe.command ?? 'true'] } };
  return {
    ...action,
    initialDelaySeconds: probe.initialDelaySeconds,
    periodSeconds: probe.periodSeconds,
    timeoutSeconds: probe.timeoutSeconds,
    failureThreshold: probe.failureThreshold,
  };
}

/** The container's three probes; readiness always, a TCP connect to the port when the version names none. */
export function containerProbes(spec: Pick<ServiceVersionSpec, 'probes' | 'port'>): {
  readinessProbe: KubeProbe;
  startupProbe?: KubeProbe;
  livenessProbe?: KubeProbe;
} {
  const { probes, port } = spec;
  return {
    readinessProbe: kubeProbe(probes.readiness ?? DEFAULT_READINESS, port),
    ...(probes.startup ? { startupProbe: kubeProbe(probes.startup, port) } : {}),
    ...(probes.liveness ? { livenessProbe: kubeProbe(probes.liveness, port) } : {}),
  };
}

/**
 * The container's environment: the version's own variables, then the platform's (which win: a
 * version's PORT or MODEL_DIR is dropped rather than set twice), pip's settings last.
 */
export function serviceEnv(
  identity: { service: string; version: number; secretName: string },
  spec: Pick<ServiceVersionSpec, 'env' | 'port'>,
  platform: { deviceEnv: readonly PlainEnv[]; pip: PipSettings },
): ContainerEnv[] {
  const pip = pipEnv(platform.pip);
  const ours: ContainerEnv[] = [
    ...platform.deviceEnv,
    { name: 'PORT', value: String(spec.port) },
    { name: 'MODEL_DIR', value: MODEL_MOUNT },
    { name: 'AIPLAT_SERVICE', value: identity.service },
    { name: 'AIPLAT_SERVICE_VERSION', value: String(identity.version) },
    ...pip.plain,
    ...pip.secret.map(({ name }) => ({
      name,
      valueFrom: { secretKeyRef: { name: identity.secretName, key: name } },
    })),
  ];
  const taken = new Set(ours.map((env) => env.name));
  const own = Object.entries(spec.env)
    .filter(([name]) => !taken.has(name))
    .map(([name, value]) => ({ name, value }));
  return [...own, ...ours];
}
