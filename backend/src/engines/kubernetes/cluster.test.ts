import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadKubeConfig } from './cluster.js';

function kubeconfig(dir: string, server: string, contexts = ['main'], name = `config-${contexts.join('-')}`): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: contexts.map((name) => ({ name, context: { cluster: 'c', user: 'u', namespace: name } })),
      'current-context': contexts[0],
    }),
  );
  return file;
}

describe('loadKubeConfig', () => {
  const saved = {
    HOME: process.env.HOME,
    KUBECONFIG: process.env.KUBECONFIG,
    KSH: process.env.KUBERNETES_SERVICE_HOST,
  };
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-'));
    process.env.HOME = dir;
    delete process.env.KUBECONFIG;
    delete process.env.KUBERNETES_SERVICE_HOST;
  });
  afterEach(() => {
    for (const [key, value] of Object.entries({
      HOME: saved.HOME,
      KUBECONFIG: saved.KUBECONFIG,
      KUBERNETES_SERVICE_HOST: saved.KSH,
    })) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('reads the file the config names, and its context', () => {
    const file = kubeconfig(dir, 'https://a.example:6443', ['main', 'training']);
    expect(loadKubeConfig({ kubeconfig: file }).getCurrentCluster()?.server).toBe('https://a.example:6443');
    expect(loadKubeConfig({ kubeconfig: file, context: 'training' }).getCurrentContext()).toBe('training');
  });

  it('says what to fix for a missing file or context', () => {
    expect(() => loadKubeConfig({ kubeconfig: path.join(dir, 'nope') })).toThrow(
      /kubernetes.kubeconfig .*nope does not exist/,
    );
    const file = kubeconfig(dir, 'https://a.example:6443');
    expect(() => loadKubeConfig({ kubeconfig: file, context: 'gpu' })).toThrow(
      /kubernetes.context gpu is not in the kubeconfig \(it has main\)/,
    );
  });

  it('then KUBECONFIG, then ~/.kube/config', () => {
    mkdirSync(path.join(dir, '.kube'));
    kubeconfig(path.join(dir, '.kube'), 'https://home.example', ['main'], 'config');
    expect(loadKubeConfig({}).getCurrentCluster()?.server).toBe('https://home.example');
    process.env.KUBECONFIG = kubeconfig(dir, 'https://env.example');
    expect(loadKubeConfig({}).getCurrentCluster()?.server).toBe('https://env.example');
  });

  it('with no cluster anywhere, says where it looked', () => {
    expect(() => loadKubeConfig({})).toThrow(
      /no Kubernetes cluster configured: .*KUBECONFIG.*~\/\.kube\/config.*kubernetes\.kubeconfig/,
    );
  });
});
