import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-config-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('needs nothing: binds loopback, local engine, folders under the cwd', () => {
    const config = loadConfig({}, dir);
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.engine).toBe('local');
    expect(config.workRoot).toBe(path.join(dir, '.work'));
    expect(config.dataDir).toBe(path.join(dir, '.data'));
    expect(config.users).toEqual([]);
    // Nothing listens for services' own domains over HTTPS unless asked to.
    expect(config.services.httpsPort).toBeUndefined();
    expect(config.services.httpsHost).toBeUndefined();
  });

  it('takes an HTTPS port (and address) for services of their own domain, and refuses a bad port', async () => {
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(file, 'services:\n  httpsPort: 8443\n  httpsHost: 0.0.0.0\n');
    const config = loadConfig({ AIPLAT_CONFIG: file }, dir);
    expect(config.services).toMatchObject({ httpsPort: 8443, httpsHost: '0.0.0.0', sleepAfterMinutes: 0 });
    await writeFile(file, 'services:\n  httpsPort: 70000\n');
    expect(() => loadConfig({ AIPLAT_CONFIG: file }, dir)).toThrow(/services\.httpsPort/);
  });

  it("shows local dev machines' SSH at this machine's name, listening on every address unless told", async () => {
    expect(loadConfig({}, dir).devMachines).toMatchObject({ sshHost: os.hostname(), sshListenAddress: '0.0.0.0' });
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(file, 'devMachines:\n  sshHost: dev.example.com\n  sshListenAddress: 127.0.0.1\n');
    expect(loadConfig({ AIPLAT_CONFIG: file }, dir).devMachines).toMatchObject({
      sshHost: 'dev.example.com',
      sshListenAddress: '127.0.0.1',
    });
    await writeFile(file, "devMachines:\n  sshHost: ''\n");
    expect(() => loadConfig({ AIPLAT_CONFIG: file }, dir)).toThrow(/devMachines\.sshHost/);
  });

  it('finds a container runtime by itself unless told which (AIPLAT_CONTAINERS or containers:)', async () => {
    expect(loadConfig({}, dir).containers).toEqual({ runtime: 'auto', jobs: false, services: false });
    expect(loadConfig({ AIPLAT_CONTAINERS: 'none' }, dir).containers).toEqual({
      runtime: 'none',
      jobs: false,
      services: false,
    });
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(
      file,
      'containers:\n  runtime: podman\n  socketPath: /run/podman/podman.sock\n  jobs: true\n  services: true\n',
    );
    expect(loadConfig({ AIPLAT_CONFIG: file }, dir).containers).toEqual({
      runtime: 'podman',
      jobs: true,
      services: true,
      socketPath: '/run/podman/podman.sock',
    });
    expect(loadConfig({ AIPLAT_CONFIG: file, AIPLAT_CONTAINERS: 'None' }, dir).containers).toEqual({
      runtime: 'none',
      jobs: true,
      services: true,
      socketPath: '/run/podman/podman.sock',
    });
    expect(() => loadConfig({ AIPLAT_CONTAINERS: 'lxc' }, dir)).toThrow(/AIPLAT_CONTAINERS: /);
  });

  it('has no registry until one is configured (AIPLAT_REGISTRY or images.registry), and no presets', async () => {
    expect(loadConfig({}, dir).images).toEqual({ presets: [] });
    expect(loadConfig({ AIPLAT_REGISTRY: ' http://127.0.0.1:5000 ' }, dir).images.registry).toEqual({
      url: 'http://127.0.0.1:5000',
      insecure: false,
    });
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(
      file,
      'images:\n  registry:\n    url: https://registry.example.com\n    dockerConfig: /etc/aiplat/docker.json\n  presets:\n    - ref: registry.example.com/aiplat/devmachine:1\n',
    );
    expect(loadConfig({ AIPLAT_CONFIG: file, AIPLAT_REGISTRY: 'https://other.example.com' }, dir).images).toEqual({
      registry: { url: 'https://other.example.com', insecure: false, dockerConfig: '/etc/aiplat/docker.json' },
      presets: [{ ref: 'registry.example.com/aiplat/devmachine:1' }],
    });
  });

  it('reads a YAML file and lets the environment override it', async () => {
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(
      file,
      'port: 9000\nworkRoot: /srv/work\nusers:\n  - { name: alice, token: alice-token-0123456789 }\nallowedOrigins: ["http://localhost:8888"]\n',
    );
    const config = loadConfig(
      { AIPLAT_CONFIG: file, PORT: '9100', AUTH_TOKEN: 'fixed-token-0123456789', AIPLAT_USER: 'bob' },
      dir,
    );
    expect(config.port).toBe(9100);
    expect(config.workRoot).toBe('/srv/work');
    expect(config.allowedOrigins).toEqual(['http://localhost:8888']);
    expect(config.users).toEqual([
      { name: 'alice', token: 'alice-token-0123456789' },
      { name: 'bob', token: 'fixed-token-0123456789' },
    ]);
  });

  it('names the environment variable a wrong setting came from', async () => {
    const file = path.join(dir, 'aiplat.yaml');
    await writeFile(file, 'users:\n  - { name: alice, token: alice-token-0123456789 }\n');
    expect(() => loadConfig({ AIPLAT_CONFIG: file, AUTH_TOKEN: 'short', AIPLAT_USER: 'bob' }, dir)).toThrow(
      /AUTH_TOKEN: tokens must be at least 16/,
    );
  });

  it('says which setting is wrong', async () => {
    expect(() => loadConfig({ PORT: 'eighty' }, dir)).toThrow(/PORT must be a whole number/);
    expect(() => loadConfig({ AUTH_TOKEN: 'short' }, dir)).toThrow(/AUTH_TOKEN: tokens must be at least 16/);
    expect(() => loadConfig({ AUTH_TOKEN: 'short' }, dir)).not.toThrow(/users\.0/);
    expect(() => loadConfig({ ENGINE: 'slurm' }, dir)).toThrow(/ENGINE: /);
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'engine: slurm\n');
    expect(() => loadConfig({ AIPLAT_CONFIG: file }, dir)).toThrow(ConfigError);
    expect(() => loadConfig({ AIPLAT_CONFIG: file }, dir)).toThrow(/engine/);
    expect(() => loadConfig({ AIPLAT_CONFIG: path.join(dir, 'missing.yaml') }, dir)).toThrow(
      /cannot read AIPLAT_CONFIG/,
    );
  });
});
