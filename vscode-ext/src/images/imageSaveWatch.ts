import type { ApiClient, ImageSave } from '@aiplat/api';
import type { EventSource } from '../connection/liveEvents.js';
import type { Subscription } from '../model/emitter.js';

/** How often the saves are read while the `image-saves` subscription is not confirmed (no live socket). */
export const SAVE_POLL_INTERVAL_MS = 2_000;

export interface ImageSaveWatchOptions {
  client: Pick<ApiClient, 'listImageSaves'>;
  events: EventSource;
  /** Each state of the user's saves as it is heard of (other saves too: the caller picks its own). */
  onSave: (save: ImageSave) => void;
  /** A failed read of the saves (a poll); the watch goes on. */
  onError?: (error: unknown) => void;
  pollIntervalMs?: number;
  /** Injected timers (tests drive them); `setTimeout`/`clearTimeout` otherwise. */
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Follows the user's image saves, free of `vscode`: live from the `image-saves` topic, with the saves
 * read over HTTP each time the subscription is confirmed (so nothing between a read and the
 * subscription is missed). Until a subscription is confirmed (no live connection, or not yet), the
 * saves are read every `pollIntervalMs` instead. Dispose to stop.
 */
export function watchImageSaves(options: ImageSaveWatchOptions): Subscription {
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const interval = options.pollIntervalMs ?? SAVE_POLL_INTERVAL_MS;
  let live = false;
  let disposed = false;
  let timer: unknown;

  const read = async () => {
    try {
      const { saves } = await options.client.listImageSaves();
      if (!disposed) for (const save of saves) options.onSave(save);
    } catch (error) {
      if (!disposed) options.onError?.(error);
    }
  };
  const poll = () => {
    timer = undefined;
    if (disposed || live) return;
    void read().then(() => {
      if (!disposed && !live) timer = setTimer(poll, interval);
    });
  };

  const subscription = options.events.subscribe(
    'image-saves',
    (event) => {
      if (event.kind === 'image-saves' && !disposed) options.onSave(event.data);
    },
    {
      onSubscribed: () => {
        live = true;
        if (timer !== undefined) clearTimer(timer);
        timer = undefined;
        void read();
      },
    },
  );
  timer = setTimer(poll, interval);

  return {
    dispose: () => {
      if (disposed) return;
      disposed = true;
      if (timer !== undefined) clearTimer(timer);
      subscription.dispose();
    },
  };
}
