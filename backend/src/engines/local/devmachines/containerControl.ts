import type { ContainerRuntime } from '../containers/containerRuntime.js';
import { ContainerError } from '../containers/containerError.js';

/* Talking to the runtime about one dev machine's container: what Podman's quirks need around it. */

/** The last lines the container wrote. */
export async function logTail(runtime: ContainerRuntime, id: string): Promise<string> {
  const chunks: Buffer[] = [];
  try {
    const output = await runtime.logs(id, { follow: false });
    for await (const chunk of output) chunks.push(chunk.data);
  } catch {
    return '';
  }
  return Buffer.concat(chunks).toString('utf8').trim().split('\n').slice(-5).join(' | ').slice(-1000);
}

/**
 * Starts a stopped container again. Podman refuses ("container state improper") while it is still
 * finishing the last stop (its cleanup runs after the container's process exited): wait for that,
 * up to 10 s, then say which state it is stuck in.
 */
export async function startAgain(runtime: ContainerRuntime, id: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await runtime.start(id);
      return;
    } catch (error) {
      if (!/state improper/i.test((error as Error).message)) throw error;
      if (attempt >= 50) {
        const state = await runtime.inspect(id).catch(() => undefined);
        throw new Error(`${(error as Error).message} (still ${state?.status ?? 'unknown'} after 10 s)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Podman 4.3 may answer a stop with "refusing to clean up: container state improper" when the
 * container's process ended while the stop ran (its own cleanup got there first): the container
 * did stop. True once it is seen stopped (within 10 s); false for any other error.
 */
export async function stoppedAnyway(runtime: ContainerRuntime, id: string, error: unknown): Promise<boolean> {
  if (!/state improper/i.test((error as Error).message)) return false;
  for (let attempt = 0; attempt < 50; attempt++) {
    const state = await runtime.inspect(id).catch(() => undefined);
    if (state && !state.running) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

export function isGone(error: unknown): boolean {
  return error instanceof ContainerError && error.code === 'container_not_found';
}
