import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ApiError } from '@aiplat/api';
import type { ServiceRecord, ServiceStore } from './serviceStore.js';

export type ServiceDomainSetting = NonNullable<ServiceRecord['domain']>;

/** What this server allows as a service's own domain. */
export interface DomainTlsPolicy {
  /** Whether HTTPS is served for services' own domains (`services.httpsPort` is set). */
  httpsServed: boolean;
  /**
   * The names the platform itself answers on (its host, its allowed origins' hosts, localhost): a
   * service given one would take every request sent to the platform by that name.
   */
  platformHosts?: readonly string[];
}

/** An IPv4 address: the gateway routes by name only (a service on an address would take all calls to it). */
const IPV4 = /^\d+(\.\d+){3}$/;

function refused(path: string, message: string, issue: string): ApiError {
  return new ApiError('validation_failed', message, { issues: [{ path, message: issue }] });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/**
 * A service's own domain, checked before it is kept: its host is no other service's, and a TLS pair
 * is served by this server (`services.httpsPort`), parses, belongs together and names the host.
 * `at` is where the domain is in the request body (`body.spec.domain`, `body.domain`).
 */
export function checkDomain(
  domain: ServiceDomainSetting,
  context: { store: ServiceStore; policy: DomainTlsPolicy; at: string; except?: string },
): void {
  const { store, policy, at, except } = context;
  if (IPV4.test(domain.host)) {
    throw refused(
      `${at}.host`,
      `domain.host ${domain.host} is an address; give the DNS name callers use, such as chat.example.com`,
      'a DNS name, not an address',
    );
  }
  if (['localhost', ...(policy.platformHosts ?? [])].some((name) => name.toLowerCase() === domain.host)) {
    throw refused(
      `${at}.host`,
      `domain.host ${domain.host} is the platform's own name: every call to the platform would go to the service; give the service a name of its own`,
      "the platform's own name",
    );
  }
  if (store.list().some((other) => other.name !== except && other.domain?.host === domain.host)) {
    throw new ApiError('conflict', `another service already answers on ${domain.host}; pick another domain`, {
      issues: [{ path: `${at}.host`, message: 'already used by another service' }],
    });
  }
  const tls = domain.tls;
  if (!tls) return;
  if (!policy.httpsServed) {
    throw refused(
      `${at}.tls`,
      'HTTPS for services of their own domain is off on this server: its operator turns it on with the services.httpsPort setting; or leave domain.tls out (the host is then routed over HTTP)',
      'services.httpsPort is not set on this server',
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(tls.certificate);
  } catch (error) {
    throw refused(
      `${at}.tls.certificate`,
      `domain.tls.certificate is not a PEM X.509 certificate (${firstLine(error)}); paste the certificate (chain) file, -----BEGIN CERTIFICATE----- first`,
      'not a PEM X.509 certificate',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(tls.privateKey);
  } catch (error) {
    throw refused(
      `${at}.tls.privateKey`,
      `domain.tls.privateKey is not a PEM private key without a passphrase (${firstLine(error)}); paste the key file, -----BEGIN PRIVATE KEY----- first`,
      'not a PEM private key (without a passphrase)',
    );
  }
  if (!certificate.checkPrivateKey(key)) {
    throw refused(
      `${at}.tls.privateKey`,
      'domain.tls.privateKey is not the key of domain.tls.certificate; give the pair that belongs together',
      'does not match the certificate',
    );
  }
  if (!certificate.checkHost(domain.host)) {
    const names = certificate.subjectAltName ?? certificate.subject.replace(/\n/g, ', ');
    throw refused(
      `${at}.tls.certificate`,
      `domain.tls.certificate is not for ${domain.host} (it names ${names}); use a certificate for the domain's host`,
      `not a certificate for ${domain.host}`,
    );
  }
}
