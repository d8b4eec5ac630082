import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ReadyReplica } from '../engine.js';
import type { ReplicaBalancer } from './balancer.js';
import { forwardedHeaders } from './forwarder.js';
import { refuseUpgrade } from './replies.js';

/** One upgrade to forward: where, and how long the replica may take to answer the handshake. */
export interface UpgradeCall {
  name: string;
  /** The path and query the replica sees. */
  path: string;
  ready: readonly ReadyReplica[];
  timeoutMs: number;
}

/** How the handshake ended, for the counters: 101 when the connection is through. */
export interface UpgradeResult {
  replica?: ReadyReplica;
  status: number;
}

/**
 * WebSocket (any HTTP/1.1 Upgrade) handshakes through the gateway: the caller's request goes to a
 * ready replica with the same headers an HTTP call would carry (credentials and the session cookie
 * dropped), and once the replica switches protocols the two connections are piped both ways until
 * either side ends. A replica that refuses the upgrade has its answer passed on; a refused
 * connection is retried on another replica. Each open connection counts on its replica for the
 * balancer until it closes.
 */
export class UpgradeForwarder {
  /** The callers' sockets, ended when the gateway closes (a server's close leaves upgraded sockets open). */
  private readonly open = new Set<Duplex>();

  constructor(private readonly balancer: ReplicaBalancer) {}

  /**
   * Forwards the handshake; `answered` is called once, when the replica answered it or could not.
   * The caller's socket closing is the end of it all, whatever happened.
   */
  forward(
    req: http.IncomingMessage,
    socket: Duplex,
    head: Buffer,
    call: UpgradeCall,
    answered: (result: UpgradeResult) => void,
  ): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
    const headers = forwardedHeaders(req);
    headers.push('connection', 'Upgrade', 'upgrade', String(req.headers.upgrade));
    const tried = new Set<string>();
    let settled = false;
    const settle = (result: UpgradeResult) => {
      if (settled) return;
      settled = true;
      answered(result);
    };

    const attempt = () => {
      const replica = this.balancer.pick(call.ready, tried);
      if (!replica) {
        refuseUpgrade(socket, { status: 502, error: 'bad_gateway', message: `no replica of ${call.name} answered` });
        return settle({ status: 502 });
      }
      tried.add(replica.key);
      this.balancer.acquire(replica.key);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.balancer.release(replica.key);
      };
      const upstream = http.request({
        ...('socketPath' in replica.target
          ? { socketPath: replica.target.socketPath }
          : { host: replica.target.host, port: replica.target.port }),
        method: req.method,
        path: call.path,
        headers,
        agent: false,
      });
      const timer = setTimeout(
        () => upstream.destroy(Object.assign(new Error('upstream timeout'), { code: 'UPSTREAM_TIMEOUT' })),
        call.timeoutMs,
      );
      const callerLeft = () => upstream.destroy();
      socket.once('close', callerLeft);

      upstream.once('upgrade', (answer: http.IncomingMessage, tunnel: Socket, tunnelHead: Buffer) => {
        clearTimeout(timer);
        socket.off('close', callerLeft);
        tunnel.once('close', release);
        if (socket.destroyed) {
          tunnel.destroy();
          return settle({ replica, status: 499 });
        }
        socket.write(statusLine(answer) + rawHeaderLines(answer.rawHeaders, []) + '\r\n');
        if (tunnelHead.length > 0) socket.write(tunnelHead);
        if (head.length > 0) tunnel.write(head);
        tunnel.setNoDelay(true);
        tunnel.setKeepAlive(true, 0);
        const end = () => {
          tunnel.destroy();
          socket.destroy();
        };
        tunnel.once('error', end).once('close', end);
        socket.once('error', end).once('close', end);
        tunnel.pipe(socket).pipe(tunnel);
        settle({ replica, status: 101 });
      });

      upstream.once('response', (answer: http.IncomingMessage) => {
        // The replica did not switch protocols: its answer goes to the caller, and the connection ends with it.
        clearTimeout(timer);
        socket.off('close', callerLeft);
        answer.once('close', release);
        const status = answer.statusCode ?? 502;
        socket.write(
          statusLine(answer) + rawHeaderLines(answer.rawHeaders, ANSWER_FRAMING) + 'Connection: close\r\n\r\n',
        );
        answer.pipe(socket);
        socket.once('finish', () => socket.destroy());
        socket.once('close', () => answer.destroy());
        settle({ replica, status });
      });

      upstream.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.off('close', callerLeft);
        release();
        if (settled) return;
        if (socket.destroyed) return settle({ replica, status: 499 });
        const code = error.code ?? '';
        if (code === 'ECONNREFUSED' && tried.size < call.ready.length) return attempt();
        const timedOut = code === 'UPSTREAM_TIMEOUT';
        const status = timedOut ? 504 : 502;
        refuseUpgrade(socket, {
          status,
          error: timedOut ? 'gateway_timeout' : 'bad_gateway',
          message: timedOut
            ? `the replica did not answer the upgrade within ${Math.round(call.timeoutMs / 1000)} s (limits.upstreamTimeoutSeconds)`
            : `the replica failed: ${code || error.message}`,
        });
        settle({ replica, status });
      });
      upstream.end();
    };
    attempt();
  }

  /** Ends every connection still open through the gateway. */
  close(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }
}

/** Headers the gateway frames itself on a passed-on refusal (it ends the connection after the body). */
const ANSWER_FRAMING = ['connection', 'keep-alive', 'transfer-encoding'];

function statusLine(answer: http.IncomingMessage): string {
  return `HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ''}\r\n`;
}

function rawHeaderLines(raw: readonly string[], skipped: readonly string[]): string {
  let lines = '';
  for (let i = 0; i < raw.length; i += 2) {
    if (skipped.includes(raw[i]!.toLowerCase())) continue;
    lines += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return lines;
}
