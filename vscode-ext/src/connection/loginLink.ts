import type { ApiClient } from '@aiplat/api';

/**
 * The URL that signs the user's browser in and then opens `next` (a path on the server: a dev
 * machine's IDE, a TensorBoard): a one-time login link of the platform, valid once, for one
 * browser, for a few minutes. The browser has no session of its own; the token stays in VS Code.
 */
export async function signedInUrl(client: ApiClient, serverUrl: string, next: string): Promise<string> {
  const link = await client.createLoginLink({ body: { next } });
  return new URL(link.path, `${serverUrl.replace(/\/+$/, '')}/`).toString();
}
