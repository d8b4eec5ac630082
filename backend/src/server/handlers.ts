import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { RouteName, RouteOutput, RouteParsed, Routes } from '@aiplat/api';

export interface User {
  name: string;
}

export interface RequestContext {
  user: User;
  requestId: string;
  log: Logger;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** For streaming routes (download, upload) only: JSON routes return their result. */
  req: Request;
  res: Response;
}

/** Returned by a streaming handler that has written the response itself. */
export const HANDLED: unique symbol = Symbol('handled');
export type Handled = typeof HANDLED;

export type Handler<K extends RouteName> = (
  input: RouteParsed<Routes[K]>,
  ctx: RequestContext,
) => Promise<RouteOutput<Routes[K]> | Handled>;

/** One handler per route of the contract: a missing one is a compile error. */
export type Handlers = { [K in RouteName]: Handler<K> };
