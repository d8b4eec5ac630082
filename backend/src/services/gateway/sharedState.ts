import type { CountedCalls } from './trafficMetrics.js';

/**
 * What the gateway shares with a data plane in front of it (nginx, services/dataplane/): one replay
 * cache, so a signature either has seen is a replay for both, and one admission per service the data
 * plane serves, so its QPS and concurrency limits count the calls of both.
 */
export interface SharedGatewayState {
  /** Whether the data plane runs: until then (and after it closed) the gateway keeps its own. */
  readonly started: boolean;
  /**
   * True the first time an AppKey's Timestamp is seen inside the window (its Sign is a function of
   * the two); rejects when the data plane cannot be asked.
   */
  firstUse(appKey: string, signedAtMs: number): Promise<boolean>;
  /**
   * A place in the admission of a service the data plane serves: undefined when admitted (release
   * with `done`), the seconds to wait when not, 'local' when the data plane does not serve it.
   */
  admit(service: string): Promise<number | undefined | 'local'>;
  done(service: string): void;
}

/** What the data plane served since the last pull: its counts, AppKeys' last use, services called. */
export interface ServedByDataPlane {
  services: readonly { service: string; tallies: readonly CountedCalls[] }[];
  appKeys: readonly { appKey: string; at: number }[];
  active: readonly string[];
}
