#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { createPlatform, type Platform } from './composition.js';
import type { Config } from './config.js';
import { DEFAULT_DEV_MACHINE_NAME, startDefaultDevMachine } from './devmachines/defaultDevMachine.js';

/** How long the links `npm start` prints stay good (each opens one browser session, once). */
const START_LINK_TTL_MS = 60 * 60_000;

const IDE_LABELS = { jupyterlab: 'JupyterLab', 'code-server': 'VS Code' } as const;

/**
 * The front door: the default user's dev machine, started, and a one-time link into each IDE. A
 * machine that cannot start says why; the API is served all the same.
 */
async function openDefaultDevMachine(platform: Platform, config: Config, owner: string, base: string): Promise<void> {
  const name = DEFAULT_DEV_MACHINE_NAME;
  process.stdout.write(`  starting your dev machine "${name}" (JupyterLab and VS Code)...\n`);
  try {
    const machine = await startDefaultDevMachine(platform.devMachines, owner, config.devMachines.readyTimeoutMs);
    if (machine.state !== 'Running') {
      const why =
        machine.failure?.message ??
        (machine.waitReason ? `it waits for resources (${machine.waitReason.message})` : `it is ${machine.state}`);
      process.stdout.write(
        `  dev machine "${name}" did not start: ${why}\n  (the API above works all the same; AIPLAT_DEV_MACHINE=off skips this)\n\n`,
      );
      return;
    }
    const lines = Object.entries(machine.urls).map(([ide, next]) => {
      const link = platform.loginLinks.issue(owner, next, START_LINK_TTL_MS);
      return `  ${IDE_LABELS[ide as keyof typeof IDE_LABELS].padEnd(10)} ${new URL(link.path, base).toString()}`;
    });
    process.stdout.write(
      [
        `  dev machine "${name}" is running. Open it (each link signs one browser in, once, within an hour;`,
        `  later: aiplat dev open ${name}):`,
        ...lines,
        '',
      ].join('\n') + '\n',
    );
  } catch (error) {
    process.stdout.write(`  dev machine "${name}" did not start: ${(error as Error).message}\n\n`);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await createPlatform(config);
  // Before anything is printed: until a listener exists, SIGTERM has its default effect (the process
  // ends at once, leaving what it started), and whoever reads the banner may stop it right away.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    platform.log.info({ signal }, 'shutting down');
    platform
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        platform.log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let url = '';
  try {
    const address = await platform.listen(config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    url = `http://${host}:${address.port}`;
    const user = platform.users[0];
    process.stdout.write(
      [
        '',
        `  AI Platform backend listening on ${url}`,
        `  engine: ${config.engine}   work root: ${config.workRoot}   data: ${config.dataDir}`,
        ...(user
          ? [
              `  user: ${user.name}   token: ${user.token}${platform.generatedToken ? '  (generated; kept in the data dir)' : ''}`,
            ]
          : []),
        ...(user
          ? [`  try:  curl -H "Authorization: Bearer ${user.token}" "${url}/api/files?path=mount/datasets"`]
          : []),
        ...(platform.seeded.length
          ? [
              `  seeded ${platform.seeded.length} example files (a dataset and a model under mount/, a DDP project under home/)`,
            ]
          : []),
        '',
      ].join('\n') + '\n',
    );
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new ConfigError(`port ${config.port} on ${config.host} is in use: set PORT to a free one`);
    if (code === 'EADDRNOTAVAIL')
      throw new ConfigError(`cannot bind ${config.host}: set HOST to an address of this machine`);
    throw e;
  }

  const owner = platform.users[0];
  if (config.devMachines.startDefault && owner) void openDefaultDevMachine(platform, config, owner.name, url);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || (e as Error)?.name === 'StoreError') {
    process.stderr.write(`aiplat: ${(e as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(`aiplat: failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
