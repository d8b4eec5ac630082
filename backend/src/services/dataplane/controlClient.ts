import { Pool } from 'undici';
import type { CountedCalls } from '../gateway/trafficMetrics.js';

/** What the data plane counted since the last pull. */
export interface PulledTraffic {
  /** The state's revision: 0 after a restart (nothing pushed yet). */
  revision: number;
  services: { service: string; tallies: CountedCalls[] }[];
  /** AppKeys whose signature was accepted, with the time of the last one (ms). */
  appKeys: { appKey: string; at: number }[];
  /** Services called (past their auth). */
  active: string[];
}

/** What the data plane serves: see serviceGateway.lua's put_state. */
export interface DataPlaneState {
  windowMs: number;
  services: Record<string, DataPlaneService>;
  appKeys: Record<string, { secret: string; enabled: boolean; services: string[] }>;
  /** Own domains: their calls are the backend's. */
  hosts: string[];
}

export interface DataPlaneService {
  anyone: boolean;
  appkey: boolean;
  ready: { key: string; version: number; index: number; host: string; port: number }[];
  qps: number;
  concurrency: number;
  /** The numbers as the backend's gateway words them in its 429s. */
  qpsText: string;
  concurrencyText: string;
  maxBodyBytes: number;
  timeoutSeconds: number;
}

/** The data plane's control server, on its Unix socket (serviceGateway.lua's control functions). */
export class ControlClient {
  private readonly client: Pool;

  constructor(socketPath: string) {
    // Several connections: the backend's calls of services the data plane serves ask it in parallel.
    this.client = new Pool('http://data-plane', { socketPath, connections: 8, keepAliveTimeout: 60_000 });
  }

  async putState(state: DataPlaneState): Promise<number> {
    return ((await this.call('PUT', '/state', state)) as { revision: number }).revision;
  }

  async revision(): Promise<number> {
    return ((await this.call('GET', '/revision')) as { revision: number }).revision;
  }

  /** Debian's lua-cjson writes an empty list as nothing or `{}`: read as []. */
  async takeTraffic(): Promise<PulledTraffic> {
    const pulled = (await this.call('POST', '/traffic')) as Partial<Record<keyof PulledTraffic, unknown>>;
    const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
    return {
      revision: typeof pulled.revision === 'number' ? pulled.revision : 0,
      services: list<{ service: string; tallies: unknown[] }>(pulled.services).map(({ service, tallies }) => ({
        service,
        tallies: list<Record<string, unknown>>(tallies).map((t) => ({
          version: Number(t.version),
          replica: Number(t.replica),
          statuses: list(t.statuses),
          latency: list(t.latency),
          ttft: list(t.ttft),
          throttled: Number(t.throttled ?? 0),
          tokens: Number(t.tokens ?? 0),
        })),
      })),
      appKeys: list(pulled.appKeys),
      active: list(pulled.active),
    };
  }

  async firstUse(appKey: string, signedAtMs: number): Promise<boolean> {
    return ((await this.call('POST', '/replay', { appKey, signedAt: signedAtMs })) as { firstUse: boolean }).firstUse;
  }

  async admit(service: string): Promise<{ served: boolean; wait?: number }> {
    return (await this.call('POST', '/admit', { service })) as { served: boolean; wait?: number };
  }

  async done(service: string): Promise<void> {
    await this.call('POST', '/done', { service });
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async call(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const { statusCode, body: answer } = await this.client.request({
      method,
      path,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    const text = await answer.text();
    if (statusCode !== 200)
      throw new Error(`the data plane answered ${path} with ${statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }
}
