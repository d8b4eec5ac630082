import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service, ServiceSpecInput } from '@aiplat/api';
import { startPlatform, TOKENS, type PlatformFixture } from '../../../../testing/src/backend/platformFixture.js';
import { waitForService } from '../../../../testing/src/services/waitForService.js';
import { rejection } from '../../../../testing/src/backend/rejection.js';
import { freePort } from '../../../../testing/src/services/gatewayHarness.js';
import { selfSignedPair, tlsGet, type TlsPairPem } from '../../../../testing/src/services/selfSignedPair.js';

/*
 * HTTPS for a service's own domain, for real: a backend with services.httpsPort, a replica of the
 * Python model server, and calls over TLS whose SNI is the service's domain and whose only trusted
 * CA is the service's self-signed certificate (made by openssl).
 */

const MODEL_SERVER = fileURLToPath(new URL('../../../../testing/src/services/model_server.py', import.meta.url));
const HOST = 'secure.example.test';

let fx: PlatformFixture;
let httpsPort: number;
let first: TlsPairPem;

const spec = (name: string, domain: ServiceSpecInput['domain']): ServiceSpecInput => ({
  name,
  auth: ['token'],
  ...(domain ? { domain } : {}),
  version: {
    model: 'mount/models/tiny-gpt2',
    command: `exec python3 ${MODEL_SERVER}`,
    resources: { cpu: 0.5, memory: '256Mi' },
    probes: { readiness: { type: 'http', path: '/ready', periodSeconds: 1 } },
  },
});

const waitFor = (name: string, ok: (s: Service) => boolean, timeoutMs = 30_000) =>
  waitForService(fx.client(), name, ok, timeoutMs);

/** GET over a new TLS connection to the listener, with this SNI name and CA; Host is the SNI name unless given. */
const get = (servername: string, ca: string, host = servername) =>
  tlsGet(httpsPort, servername, ca, '/predict-info', { host, authorization: `Bearer ${TOKENS.alice}` });

const fingerprintOf = (pair: TlsPairPem) => new X509Certificate(pair.certificate).fingerprint256;

beforeAll(async () => {
  httpsPort = await freePort();
  first = selfSignedPair(HOST);
  fx = await startPlatform({
    services: { readyTimeoutMs: 30_000, stopGraceMs: 1_000, signatureWindowSeconds: 300, httpsPort },
  });
  await fx.client().deployService({ body: { spec: spec('secure', { host: HOST, tls: first }) } });
  await waitFor('secure', (s) => s.state === 'Running');
}, 60_000);
afterAll(() => fx?.close(), 60_000);

describe('HTTPS for a service’s own domain (services.httpsPort)', () => {
  it('answers over TLS with the service’s certificate for its domain (SNI)', async () => {
    const answer = await get(HOST, first.certificate);
    expect(answer.status).toBe(200);
    expect(answer.fingerprint).toBe(fingerprintOf(first));
    expect(JSON.parse(answer.body)).toMatchObject({ path: '/predict-info' });
    const service = await fx.client().getService({ params: { name: 'secure' } });
    expect(service.domain).toEqual({ host: HOST, tls: true });
    expect(JSON.stringify(service)).not.toContain('PRIVATE KEY');
  });

  it('refuses the handshake for a name no service has a pair for, and 421 for a Host not the SNI name', async () => {
    await expect(get('other.example.test', first.certificate)).rejects.toThrow();
    const misdirected = await get(HOST, first.certificate, 'other.example.test');
    expect(misdirected.status).toBe(421);
    expect(JSON.parse(misdirected.body)).toMatchObject({ error: 'misdirected_request' });
  });

  it('serves a pair replaced by an update from the next handshake on (a bad one is refused and the old one kept)', async () => {
    const second = selfSignedPair(HOST);
    const mismatched = await rejection(
      fx.client().updateService({
        params: { name: 'secure' },
        body: { domain: { host: HOST, tls: { ...second, privateKey: first.privateKey } } },
      }),
    );
    expect(mismatched.issues?.map((i) => i.path)).toEqual(['body.domain.tls.privateKey']);
    expect((await get(HOST, first.certificate)).fingerprint).toBe(fingerprintOf(first));
    await fx.client().updateService({ params: { name: 'secure' }, body: { domain: { host: HOST, tls: second } } });
    const answer = await get(HOST, second.certificate);
    expect(answer.status).toBe(200);
    expect(answer.fingerprint).toBe(fingerprintOf(second));
    await expect(get(HOST, first.certificate)).rejects.toThrow();
  });

  it('refuses a pair that does not parse, does not match or is for another host, naming the field', async () => {
    const deploy = (name: string, tls: TlsPairPem, host = `${name}.example.test`) =>
      rejection(fx.client().deployService({ body: { spec: spec(name, { host, tls }) } }));
    const other = selfSignedPair('elsewhere.example.test');
    const mismatched = await deploy(
      'mismatched',
      { ...first, privateKey: other.privateKey },
      HOST.replace('secure', 'm'),
    );
    expect(mismatched.status).toBe(400);
    expect(mismatched.issues?.map((i) => i.path)).toEqual(['body.spec.domain.tls.privateKey']);
    const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n';
    const unparsed = await deploy('unparsed', { ...first, certificate: garbage });
    expect(unparsed.status).toBe(400);
    expect(unparsed.issues?.map((i) => i.path)).toEqual(['body.spec.domain.tls.certificate']);
    const elsewhere = await deploy('elsewhere', other, 'wrong.example.test');
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.message).toContain('not for wrong.example.test');
    const taken = await deploy('taken', first, HOST);
    expect(taken.status).toBe(409);
  });

  it('keeps the backend from starting when the port is taken, naming the setting', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      await expect(startPlatform({ services: { httpsPort: port } })).rejects.toThrow(
        new RegExp(`^services\\.httpsPort: .* cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`),
      );
    } finally {
      busy.close();
    }
  }, 30_000);
});
