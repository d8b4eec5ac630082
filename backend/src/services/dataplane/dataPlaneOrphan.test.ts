import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';
import { freePort } from '../../../../testing/src/services/gatewayHarness.js';

const BUILT = fileURLToPath(new URL('../../../dist/services/dataplane/dataPlane.js', import.meta.url));

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => resolve((socket.destroy(), true)));
    socket.once('error', () => resolve(false));
  });

it('stops when the backend that started it is killed outright, freeing the port', async () => {
  const port = await freePort();
  // A backend (the built data plane) that starts nginx, says so, then is SIGKILLed: it cannot stop nginx itself.
  const script = `
    const { DataPlane } = await import(${JSON.stringify(BUILT)});
    const log = { info() {}, warn() {}, error() {}, child() { return log; } };
    const dataPlane = new DataPlane({ nginx: 'nginx', state: () => ({ windowMs: 1000, services: {}, appKeys: {}, hosts: [] }), absorb() {}, log });
    await dataPlane.start('127.0.0.1', ${port});
    process.stdout.write('started\\n');
    setInterval(() => {}, 1000);`;
  const backend = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    backend.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('started') && resolve());
    backend.once('exit', (code) => reject(new Error(`the backend exited with ${code}`)));
  });
  expect(await accepts(port)).toBe(true);
  backend.kill('SIGKILL');
  await vi.waitFor(async () => expect(await accepts(port)).toBe(false), { timeout: 5_000, interval: 200 });
}, 20_000);
