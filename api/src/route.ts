import { z } from 'zod';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * How a route's bodies travel: `json` both ways; `download` answers a byte stream (with Range);
 * `upload` takes a raw byte stream and answers JSON; `text` answers plain text.
 */
export type RouteTransfer = 'json' | 'download' | 'upload' | 'text';

export interface RouteDef {
  method: HttpMethod;
  /** Express-style path, `:name` for path parameters. */
  path: string;
  summary: string;
  tag: string;
  transfer: RouteTransfer;
  /** False only for health probes. */
  auth: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
}

export function route<const R extends Omit<RouteDef, 'transfer' | 'auth'> & Partial<RouteDef>>(
  def: R,
): R & { transfer: R['transfer'] extends RouteTransfer ? R['transfer'] : 'json'; auth: boolean } {
  return { transfer: 'json', auth: true, ...def } as never;
}

/** The response of a `download` route: the fetch Response, read as a byte stream. */
export const BinarySchema = z.custom<Response>(() => true).meta({ description: 'byte stream' });
