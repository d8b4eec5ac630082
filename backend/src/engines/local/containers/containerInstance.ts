import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { ContainerSpec, EnsureImageOptions } from './containerRuntime.js';
import { detectContainerRuntime } from './detectRuntime.js';

/** What one job instance's or service replica's container is, as the engine writes it beside its logs. */
export interface ContainerInstanceSpec {
  /** The runtime's Docker-compatible API socket. */
  socketPath: string;
  container: ContainerSpec;
  pull: Omit<EnsureImageOptions, 'onProgress'>;
  /** Between the container's SIGTERM and its SIGKILL; shorter than the supervisor's own grace. */
  stopGraceSeconds: number;
}

/**
 * Runs a job instance in a container and ends with it: the supervisor runs this as the instance's
 * process (`node containerInstance.js <spec>`), so the job machinery (log shim, exit status, stop)
 * is the same as for a process. The container's output becomes this process's (the log shim
 * keeps it), its exit code this process's; SIGTERM stops the container with its grace. The
 * container is removed once it ended.
 */
export async function runContainerInstance(
  spec: ContainerInstanceSpec,
  output: { stdout: Writable; stderr: Writable },
  onStop: (stop: () => void) => void,
): Promise<number> {
  const detected = await detectContainerRuntime({ runtime: 'auto', socketPath: spec.socketPath, dataDir: '/' });
  const runtime = detected.runtime;
  if (!runtime) throw new Error(detected.reason ?? `no container runtime at ${spec.socketPath}`);
  await runtime.ensureImage(spec.container.image, spec.pull);
  // A container of the same name is what a killed runner left (its process could not remove it).
  await runtime.remove(spec.container.name, { force: true }).catch(() => undefined);
  const id = await runtime.run(spec.container);
  try {
    onStop(() => void runtime.stop(id, spec.stopGraceSeconds).catch(() => undefined));
    const logs = await runtime.logs(id, { follow: true });
    for await (const chunk of logs) {
      const stream = chunk.stream === 'stdout' ? output.stdout : output.stderr;
      if (!stream.write(chunk.data)) await new Promise((resolve) => stream.once('drain', resolve));
    }
    // Following ends when the container stops; its state may trail by a moment.
    for (let attempt = 0; ; attempt++) {
      const state = await runtime.inspect(id);
      if (!state.running || attempt >= 50) return state.oomKilled ? 137 : (state.exitCode ?? 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await runtime.remove(id, { force: true }).catch(() => undefined);
  }
}

async function main(specFile: string): Promise<void> {
  const spec = JSON.parse(await readFile(specFile, 'utf8')) as ContainerInstanceSpec;
  let stop = () => {};
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      stop();
    });
  }
  try {
    process.exitCode = await runContainerInstance(spec, process, (fn) => {
      stop = fn;
      if (stopping) fn();
    });
  } catch (error) {
    process.stderr.write(`aiplat: the instance's container could not run: ${(error as Error).message}\n`);
    process.exitCode = 125;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!process.argv[2]) {
    process.stderr.write('usage: node containerInstance.js <spec.json>\n');
    process.exitCode = 2;
  } else await main(process.argv[2]);
}
