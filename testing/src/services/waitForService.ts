import type { ApiClient, Service } from '@aiplat/api';

/** Polls a service (every 200 ms) until `ok` holds; fails with the last one seen after `timeoutMs`. */
export async function waitForService(
  client: ApiClient,
  name: string,
  ok: (service: Service) => boolean,
  timeoutMs = 30_000,
): Promise<Service> {
  const deadline = Date.now() + timeoutMs;
  let last: Service | undefined;
  while (Date.now() < deadline) {
    last = await client.getService({ params: { name } });
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`service ${name} never got there; last: ${JSON.stringify(last)}`);
}
