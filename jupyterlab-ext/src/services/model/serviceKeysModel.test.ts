import { ApiError, type CreatedServiceToken } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import type { IConnectionModel } from '../../tokens.js';
import { ServiceKeysModel, typedTokenLimits } from './serviceKeysModel.js';

type CreateServiceTokenBody = Pick<CreatedServiceToken, 'description' | 'tokensPerMinute' | 'tokensPerDay'>;

/** A server that creates each token asked for, or refuses with `refusal`. */
function tokenServer(refusal?: Error) {
  const sent: CreateServiceTokenBody[] = [];
  const connection = {
    client: {
      createServiceToken: ({ body }: { body: CreateServiceTokenBody }) => {
        sent.push(body);
        if (refusal) return Promise.reject(refusal);
        const created: CreatedServiceToken = {
          id: `tk-${sent.length}`,
          service: 'tiny',
          enabled: true,
          ...body,
          usedThisMinute: 0,
          usedToday: 0,
          prefix: 'svc_abcd',
          createdAt: '2026-12-06T19:00:00Z',
          token: 'svc_abcd-secret',
        };
        return Promise.resolve(created);
      },
    },
  } as unknown as IConnectionModel;
  return { connection, sent };
}

describe('a service’s tokens', () => {
  it('read limits as typed: each empty (none) or a whole number, naming the fields that are not', () => {
    expect(typedTokenLimits({ tokensPerMinute: ' 100 ', tokensPerDay: '' })).toEqual({
      limits: { tokensPerMinute: 100 },
      invalid: [],
    });
    expect(typedTokenLimits({ tokensPerMinute: '10', tokensPerDay: '1.5' }).invalid).toEqual(['tokensPerDay']);
    expect(typedTokenLimits({ tokensPerMinute: '0', tokensPerDay: 'x' }).invalid).toEqual([
      'tokensPerMinute',
      'tokensPerDay',
    ]);
  });

  it('are created from the row as typed, which is emptied once the token exists', async () => {
    const { connection, sent } = tokenServer();
    const keys = new ServiceKeysModel(connection, 'tiny');
    keys.editNewToken({ description: ' ci ', tokensPerMinute: '1000', tokensPerDay: 'lots' });
    expect(keys.newTokenProblems).toEqual(['tokensPerDay']);
    expect(await keys.createToken()).toBe(false);
    expect(sent).toEqual([]);

    keys.editNewToken({ tokensPerDay: '50000' });
    expect(keys.newTokenProblems).toEqual([]);
    expect(await keys.createToken()).toBe(true);
    expect(sent).toEqual([{ description: 'ci', tokensPerMinute: 1000, tokensPerDay: 50000 }]);
    expect(keys.newToken).toEqual({ description: '', tokensPerMinute: '', tokensPerDay: '' });
    expect(keys.created).toEqual({ kind: 'token', id: 'tk-1', secret: 'svc_abcd-secret' });
    expect(keys.tokens.map((t) => t.id)).toEqual(['tk-1']);
  });

  it('keep the row as typed when the server refuses the token', async () => {
    const { connection } = tokenServer(
      new ApiError('validation_failed', 'bad', {
        status: 400,
        issues: [{ path: 'body.tokensPerDay', message: 'too many' }],
      }),
    );
    const keys = new ServiceKeysModel(connection, 'tiny');
    keys.editNewToken({ tokensPerMinute: '10', tokensPerDay: '99999999999' });
    expect(await keys.createToken()).toBe(false);
    expect(keys.newToken).toMatchObject({ tokensPerMinute: '10', tokensPerDay: '99999999999' });
    expect(keys.error).toBe('body.tokensPerDay: too many');
  });
});
