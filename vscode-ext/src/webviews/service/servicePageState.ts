import type { HostMessage, ShownSecret } from './protocol.js';

/** What the service page shows: its `init` (kept up to date by the later messages) and its own state. */
export type ServicePage = Omit<Extract<HostMessage, { type: 'init' }>, 'type'> & {
  deleted: boolean;
  /** The secret just created, shown once. */
  secret?: ShownSecret;
  /** The AppKey the curl command shown is signed with. */
  curlAppKey?: string;
};
