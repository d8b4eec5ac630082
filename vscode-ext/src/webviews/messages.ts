/*
 * What every webview's message contract shares: one handler per message type, so a message
 * without a handler is a compile error on either side.
 */

/** One handler per message type: a missing one is a compile error. */
export type MessageHandlers<M extends { type: string }> = {
  [K in M['type']]: (message: Extract<M, { type: K }>) => void | Promise<void>;
};

/** Dispatches a message to its handler. */
export function dispatch<M extends { type: string }>(handlers: MessageHandlers<M>, message: M): void | Promise<void> {
  const handler = handlers[message.type as M['type']] as (message: M) => void | Promise<void>;
  return handler(message);
}
