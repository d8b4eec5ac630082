/**
 * Resolves once `check()` holds, re-checking whenever `onChange` fires; no timers, no sleeps. The
 * check runs in a microtask after the event, so every other listener of the same event has run.
 */
export function waitUntil(
  onChange: (listener: () => void) => { dispose(): void },
  check: () => boolean,
  what = 'condition',
): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let settled = false;
    // Only to name what never happened before the test's own timeout; nothing waits on it.
    const giveUp = setTimeout(() => {
      settled = true;
      subscription.dispose();
      reject(new Error(`never reached: ${what}`));
    }, 20_000);
    const subscription = onChange(() => {
      queueMicrotask(() => {
        if (settled) return;
        let done: boolean;
        try {
          done = check();
        } catch (cause) {
          settled = true;
          clearTimeout(giveUp);
          subscription.dispose();
          reject(cause instanceof Error ? cause : new Error(`failed while waiting for ${what}`));
          return;
        }
        if (done) {
          settled = true;
          clearTimeout(giveUp);
          subscription.dispose();
          resolve();
        }
      });
    });
  });
}
