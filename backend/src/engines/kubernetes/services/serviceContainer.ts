import type { ServiceProbe, ServiceVersionSpec } from '@aiplat/api';

/*
 * The parts of a service version's container that are not volumes or resources: its probes as
 * Kubernetes writes them, pip's own environment variables for the operator's package index (those
 * that carry a password go through the version's Secret) and the variables every replica gets.
 * Pure functions.
 */

export const MODEL_MOUNT = '/data/model';

type ProbeAction =
  { httpGet: { path: string; port: number } } | { tcpSocket: { port: number } } | { exec: { command: string[] } };
export type KubeProbe = ProbeAction & {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
};

export type PlainEnv = { name: string; value: string };
export type SecretEnv = { name: string; valueFrom: { secretKeyRef: { name: string; key: string } } };
export type ContainerEnv = PlainEnv | SecretEnv;

/** `services.pip` of the backend's config. */
export interface PipEnvironment {
  indexUrl?: string;
  extraIndexUrls: readonly string[];
  findLinks: readonly string[];
  trustedHosts: readonly string[];
  noIndex: boolean;
}

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

/** A URL with a user or password in it (`https://user:token@pypi.example/simple`). */
export function hasCredentials(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
}

/**
 * pip's own environment variables for the operator's index (never a host of ours): `plain` go in
 * the container's env as they are, `secret` (an index or links URL with a password in it) into the
 * version's Secret, referenced by name.
 */
export function pipEnv(pip: PipEnvironment): { plain: PlainEnv[]; secret: PlainEnv[] } {
  const all: PlainEnv[] = [
    ...(pip.indexUrl ? [{ name: 'PIP_INDEX_URL', value: pip.indexUrl }] : []),
    ...(pip.extraIndexUrls.length ? [{ name: 'PIP_EXTRA_INDEX_URL', value: pip.extraIndexUrls.join(' ') }] : []),
    ...(pip.findLinks.length ? [{ name: 'PIP_FIND_LINKS', value: pip.findLinks.join(' ') }] : []),
    ...(pip.trustedHosts.length ? [{ name: 'PIP_TRUSTED_HOST', value: pip.trustedHosts.join(' ') }] : []),
    ...(pip.noIndex ? [{ name: 'PIP_NO_INDEX', value: '1' }] : []),
  ];
  const secret = (env: PlainEnv) => env.value.split(' ').some(hasCredentials);
  return { plain: all.filter((env) => !secret(env)), secret: all.filter(secret) };
}

/**
 * The container's environment: the version's own variables, then the platform's (which win: a
 * version's PORT or MODEL_DIR is dropped rather than set twice), pip's settings last.
 */
export function serviceEnv(
  identity: { service: string; version: number; secretName: string },
  spec: Pick<ServiceVersionSpec, 'env' | 'port'>,
  platform: { deviceEnv: readonly PlainEnv[]; pip: PipEnvironment },
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
