/** Resolves once `check()` holds, re-checking whenever `onChange` fires; no timers, no sleeps. */
export function waitUntil(
  onChange: (listener: () => void) => { dispose(): void },
  check: () => boolean,
  what = 'condition',
): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const error = new Error(`never reached: ${what}`);
    const subscription = onChange(() => {
      let done = false;
      try {
        done = check();
      } catch (cause) {
        subscription.dispose();
        reject(cause instanceof Error ? cause : error);
        return;
      }
      if (done) {
        subscription.dispose();
        resolve();
      }
    });
  });
}
