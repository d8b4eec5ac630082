import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { refuseUpgrade } from '../../proxy/proxyCore.js';
import { send } from './replies.js';

export interface TlsPair {
  host: string;
  certificate: string;
  privateKey: string;
}

function hostOf(req: http.IncomingMessage): string | undefined {
  // A DNS name is at most 253 characters; the rest is not echoed back.
  return req.headers.host?.toLowerCase().replace(/:\d+$/, '').slice(0, 253);
}

/**
 * Why a request is not for the connection it came on: its Host is not the name the TLS handshake
 * was for (SNI), so it would reach a service other than the one whose certificate was shown.
 */
function misdirection(req: http.IncomingMessage): string | undefined {
  const servername = (req.socket as tls.TLSSocket).servername;
  const host = hostOf(req);
  if (typeof servername === 'string' && host === servername.toLowerCase()) return undefined;
  return `this connection is for ${typeof servername === 'string' ? servername : 'no name'}, not ${host ?? 'no Host'}; open a connection to that host`;
}

/**
 * The HTTPS listener of services given their own domain: the certificate is chosen by SNI from the
 * directory's current pairs (a changed pair is picked up on the next handshake), and requests go
 * through the same gateway as plain HTTP ones. A name with no pair gets no certificate (the
 * handshake fails); a request whose Host is not the handshake's name gets 421.
 */
export class HttpsListener {
  readonly server: https.Server;
  /** Where it listens, once it does. */
  readonly listening: Promise<AddressInfo>;
  private readonly contexts = new Map<
    string,
    { certificate: string; privateKey: string; context: tls.SecureContext }
  >();

  constructor(deps: {
    port: number;
    host: string;
    tlsPairs: () => readonly TlsPair[];
    handle: (req: http.IncomingMessage, res: http.ServerResponse) => boolean;
    upgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;
    log: Logger;
  }) {
    this.server = https.createServer(
      {
        SNICallback: (servername, callback) => {
          try {
            callback(null, this.context(servername.toLowerCase(), deps.tlsPairs()));
          } catch (error) {
            callback(error as Error);
          }
        },
      },
      (req, res) => {
        const misdirected = misdirection(req);
        if (misdirected) return send(res, { status: 421, error: 'misdirected_request', message: misdirected });
        if (deps.handle(req, res)) return;
        send(res, { status: 404, error: 'not_found', message: `no service at ${hostOf(req) ?? 'this host'}` });
      },
    );
    this.server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      const misdirected = misdirection(req);
      if (misdirected) return refuseUpgrade(socket, 421, misdirected);
      if (!deps.upgrade(req, socket, head)) socket.destroy();
    });
    this.server.on('tlsClientError', (error) => deps.log.debug({ err: error }, 'TLS handshake refused'));
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(deps.port, deps.host, () => resolve(this.server.address() as AddressInfo));
    });
    this.listening.catch((error: unknown) =>
      deps.log.error({ err: error, port: deps.port }, 'the services HTTPS listener could not start'),
    );
  }

  /** The context of a host's pair, built once per certificate and key. */
  context(host: string, pairs: readonly TlsPair[]): tls.SecureContext | undefined {
    const pair = pairs.find((p) => p.host === host);
    if (!pair) {
      this.contexts.delete(host);
      return undefined;
    }
    const known = this.contexts.get(host);
    if (known && known.certificate === pair.certificate && known.privateKey === pair.privateKey) return known.context;
    const context = tls.createSecureContext({ cert: pair.certificate, key: pair.privateKey });
    this.contexts.set(host, { certificate: pair.certificate, privateKey: pair.privateKey, context });
    return context;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
