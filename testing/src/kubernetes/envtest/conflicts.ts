import { ApiException } from '@kubernetes/client-node';

/**
 * Runs a read-then-write again while the API server answers 409 Conflict (the object changed since
 * it was read: a newer resourceVersion), as controllers do; at most 10 more times.
 */
export async function retryingConflicts<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 409 || attempt >= 10) throw error;
    }
  }
}
