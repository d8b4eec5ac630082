import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';

/** A certificate and its key, PEM, as a service's `domain.tls` takes them (a type, so it fits that open object). */
export type TlsPairPem = { certificate: string; privateKey: string };

/**
 * A self-signed certificate for `host` (its CN and subjectAltName) with a new P-256 key, made by
 * openssl (scripts/ensure-system-deps.sh ensures it). Being self-signed, the certificate is its own
 * CA: pass it as `ca` to trust it.
 */
export function selfSignedPair(host: string): TlsPairPem {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aiplat-tls-'));
  try {
    const key = path.join(dir, 'tls.key');
    const cert = path.join(dir, 'tls.crt');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    return { certificate: readFileSync(cert, 'utf8'), privateKey: readFileSync(key, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a GET over TLS got: the status, the certificate's SHA-256 fingerprint, the body. */
export interface TlsAnswer {
  status: number;
  fingerprint: string;
  body: string;
}

/**
 * A GET on 127.0.0.1:`port` over a new TLS connection (a handshake each time) with this SNI name,
 * trusting `ca`; `headers` should carry the Host (the SNI name, or another to test a misdirected call).
 */
export function tlsGet(port: number, servername: string, ca: string, urlPath: string, headers: Record<string, string>) {
  return new Promise<TlsAnswer>((resolve, reject) => {
    const request = https.get(
      { host: '127.0.0.1', port, servername, ca, agent: false, path: urlPath, headers },
      (res) => {
        const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, fingerprint, body }));
      },
    );
    request.on('error', reject);
  });
}
