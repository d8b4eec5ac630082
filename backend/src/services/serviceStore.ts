import type { AppKey, Service, ServiceEvent, ServiceToken } from '@aiplat/api';

/** A service as kept: the API's `Service` without what is derived (its URL), with its domain's TLS pair. */
export interface ServiceRecord extends Omit<Service, 'url' | 'domain'> {
  domain?: { host: string; tls?: { certificate: string; privateKey: string } };
  /** Engine-private state that must survive a backend restart. */
  runtime?: unknown;
}

export type ServicePatch = Partial<Omit<ServiceRecord, 'name' | 'owner' | 'createdAt'>>;

/** An AppKey as kept: the secret encrypted at rest (it must be read back to check signatures). */
export interface AppKeyRecord extends AppKey {
  secretCiphertext: string;
}

/** A bearer token as kept: only its SHA-256 (the token itself is shown once). */
export interface ServiceTokenRecord extends Omit<ServiceToken, 'usedThisMinute' | 'usedToday'> {
  hash: string;
}

export interface ServiceStore {
  insert(record: ServiceRecord): void;
  /** Applies the patch (an `undefined` value clears the field) and returns the new record. */
  update(name: string, patch: ServicePatch): ServiceRecord;
  get(name: string): ServiceRecord | undefined;
  /** One owner's services, newest first; every service when `owner` is undefined. */
  list(owner?: string): ServiceRecord[];
  /** Deletes the service, its events and its tokens. */
  delete(name: string): void;
  appendEvent(name: string, event: ServiceEvent): void;
  events(name: string): ServiceEvent[];

  insertAppKey(record: AppKeyRecord): void;
  updateAppKey(appKey: string, patch: Partial<Omit<AppKeyRecord, 'appKey' | 'owner' | 'createdAt'>>): AppKeyRecord;
  getAppKey(appKey: string): AppKeyRecord | undefined;
  listAppKeys(owner?: string): AppKeyRecord[];
  deleteAppKey(appKey: string): void;

  insertToken(record: ServiceTokenRecord): void;
  updateToken(id: string, patch: Partial<Omit<ServiceTokenRecord, 'id' | 'service' | 'createdAt'>>): ServiceTokenRecord;
  getToken(id: string): ServiceTokenRecord | undefined;
  tokenByHash(hash: string): ServiceTokenRecord | undefined;
  listTokens(service?: string): ServiceTokenRecord[];
  deleteToken(id: string): void;
}
