/**
 * The API version both extensions check on connect. Bump the minor for additive changes and the
 * major for breaking ones: a client accepts a server with the same major version.
 */
export const API_VERSION = '1.0';
export const API_VERSION_HEADER = 'x-aiplat-api-version';

export function isCompatibleApiVersion(server: string, client: string = API_VERSION): boolean {
  const major = (v: string) => v.split('.')[0];
  return major(server) === major(client);
}
