#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { createPlatform } from './composition.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const platform = await createPlatform(config);
  try {
    const address = await platform.server.listen(config.port, config.host);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}`;
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
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || (e as Error)?.name === 'StoreError') {
    process.stderr.write(`aiplat: ${(e as Error).message}\n`);
    process.exit(2);
  }
  process.stderr.write(`aiplat: failed to start: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
