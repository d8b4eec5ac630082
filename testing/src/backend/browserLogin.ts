import type { PlatformFixture, TestUser } from './platformFixture.js';

/** Logs a browser in through a one-time login link, as a user following it does; returns its Cookie header. */
export async function browserLogin(fx: PlatformFixture, user: TestUser, next: string): Promise<string> {
  const link = await fx.client(user).createLoginLink({ body: { next } });
  const response = await fetch(fx.baseUrl + link.path, { redirect: 'manual' });
  if (response.status !== 303) throw new Error(`login link answered ${response.status}, not 303`);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}
