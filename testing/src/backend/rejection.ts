import { ApiError } from '@aiplat/api';

/** The ApiError a client call fails with; fails the test if it succeeds or throws something else. */
export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}
