import { describe, expect, it } from 'vitest';
import { ServiceLimitsSchema } from '@aiplat/api';
import type { ReadyReplica } from '../engine.js';
import { dataPlaneState, type ServiceForDataPlane } from './dataPlaneState.js';

const limits = ServiceLimitsSchema.parse({ qpsPerReplica: 2.5, concurrencyPerReplica: 4 });
const tcp = (version: number, index: number, port: number): ReadyReplica => ({
  key: `${version}/${index}`,
  version,
  index,
  target: { host: '127.0.0.1', port },
});
const service = (name: string, more: Partial<ServiceForDataPlane> = {}): ServiceForDataPlane => ({
  name,
  auth: ['appkey'],
  limits,
  state: 'Running',
  ...more,
});

describe('the data plane state', () => {
  it('serves running services with TCP replicas, with their limits as the gateway words them', () => {
    const state = dataPlaneState({
      windowMs: 300_000,
      services: [
        service('chat'),
        service('open', { auth: ['none'] }),
        service('tokens', { auth: ['appkey', 'token'] }),
      ],
      ready: (name) => (name === 'chat' ? [tcp(1, 0, 9001), tcp(2, 0, 9002)] : [tcp(1, 0, 9003)]),
      appKeys: [{ appKey: 'ak-1', secret: 's', enabled: false, services: ['chat'] }],
    });
    expect(state.services.chat).toEqual({
      anyone: false,
      appkey: true,
      ready: [
        { key: '1/0', version: 1, index: 0, host: '127.0.0.1', port: 9001 },
        { key: '2/0', version: 2, index: 0, host: '127.0.0.1', port: 9002 },
      ],
      qps: 2.5,
      concurrency: 4,
      qpsText: '2.5',
      concurrencyText: '4',
      maxBodyBytes: limits.maxBodyBytes,
      timeoutSeconds: limits.upstreamTimeoutSeconds,
    });
    expect(state.services.open).toMatchObject({ anyone: true, appkey: false });
    // Bearer tokens and their budgets are the backend's: all of such a service is.
    expect(state.services.tokens).toBeUndefined();
    expect(state.appKeys).toEqual({ 'ak-1': { secret: 's', enabled: false, services: ['chat'] } });
    expect(state.windowMs).toBe(300_000);
  });

  it('leaves to the backend what is not serving, has no ready replica, a container socket or its own domain', () => {
    const state = dataPlaneState({
      windowMs: 1000,
      services: [
        service('stopped', { state: 'Stopped' }),
        service('sleeping', { state: 'Sleeping' }),
        service('starting', { state: 'Deploying' }),
        service('socket'),
        service('domain', { domainHost: 'chat.example.com' }),
      ],
      ready: (name) =>
        name === 'socket'
          ? [tcp(1, 0, 9001), { key: '1/1', version: 1, index: 1, target: { socketPath: '/run/r.sock' } }]
          : name === 'starting'
            ? []
            : [tcp(1, 0, 9001)],
      appKeys: [],
    });
    expect(state.services).toEqual({});
    expect(state.hosts).toEqual(['chat.example.com']);
  });
});
