import type { IConnectionModel } from '../tokens.js';

/**
 * A URL that opens `next` (a path of the platform: a dev machine's IDE, a TensorBoard) signed in as
 * the user: a one-time login link (one browser, once, for minutes). Undefined when not connected.
 */
export async function loginUrl(connection: IConnectionModel, next: string): Promise<string | undefined> {
  const client = connection.client;
  if (!client) return undefined;
  const link = await client.createLoginLink({ body: { next } });
  return new URL(link.path, `${connection.serverUrl.replace(/\/+$/, '')}/`).toString();
}
