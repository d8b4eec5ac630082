/// <reference lib="dom" />
import { dispatch, type MessageHandlers } from './messages.js';

/*
 * A page's side of the extension, the same for every webview: VS Code's API acquired once, the
 * page's messages posted through it, its state saved for a window reload, and each message from the
 * extension dispatched to the page's handlers once it said ready.
 */

declare function acquireVsCodeApi(): {
  postMessage(message: unknown): void;
  setState(state: unknown): void;
};

export interface PageHost<W extends { type: string }, S> {
  send(message: W): void;
  /** Kept by VS Code with the panel, so a window reload restores the page (its serializer reads it). */
  save(state: S): void;
  /** Dispatches the extension's messages to `handlers`, then says ready (the handshake). */
  start<H extends { type: string }>(handlers: MessageHandlers<H>, ready: W): void;
}

export function connectPage<W extends { type: string }, S>(): PageHost<W, S> {
  const api = acquireVsCodeApi();
  return {
    send: (message) => api.postMessage(message),
    save: (state) => api.setState(state),
    start(handlers, ready) {
      window.addEventListener('message', (event: MessageEvent) => void dispatch(handlers, event.data));
      api.postMessage(ready);
    },
  };
}
