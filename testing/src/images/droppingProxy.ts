import net from 'node:net';

/*
 * A TCP proxy in front of a registry that reads the HTTP/1.1 requests passing through it: it counts
 * the body bytes forwarded per method, logs each request line, and can drop one connection in the
 * middle of a request's body. A dropped request's body is held back, never forwarded: the bytes were
 * "in flight" when the network broke. (Distribution 2.8, Debian's registry, cancels an upload whose
 * stored size no longer matches its signed state, so a half-stored chunk cannot be resumed there;
 * a drop that loses the chunk in flight is the one that can.) Requests must carry Content-Length.
 */

export interface ForwardedRequest {
  method: string;
  /** Path and query, e.g. `/v2/app/blobs/uploads/<uuid>?_state=…` */
  target: string;
  bodyBytes: number;
}

export interface DropRule {
  method: string;
  /** Dropped once the client has sent this many body bytes of matching requests since arming. */
  afterBodyBytes: number;
  /** Forward the dropped request's partial body first, so the registry stores part of it. */
  deliverPartialBody?: boolean;
}

export interface DroppingProxy {
  /** `127.0.0.1:<port>`, to use as the registry's host */
  host: string;
  port: number;
  /** Requests fully forwarded to the registry, in order. */
  requests(): ForwardedRequest[];
  /** Body bytes forwarded to the registry by requests of `method`. */
  forwardedBodyBytes(method: string): number;
  /** Forward blob mount requests (`POST …/uploads/?mount=…&from=…`) as plain upload starts, as a registry without mounting answers. */
  ignoreMounts(ignore: boolean): void;
  dropOnce(rule: DropRule): void;
  /** The dropped request, once the armed drop has happened. */
  dropped(): ForwardedRequest | undefined;
  close(): Promise<void>;
}

export async function startDroppingProxy(target: { host: string; port: number }): Promise<DroppingProxy> {
  const forwarded: ForwardedRequest[] = [];
  let rule: (DropRule & { seen: number }) | undefined;
  let droppedRequest: ForwardedRequest | undefined;
  let stripMounts = false;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    upstream.on('data', (data: Buffer) => client.write(data));

    let head = Buffer.alloc(0);
    let current: (ForwardedRequest & { remaining: number; held: Buffer[]; hold: boolean }) | undefined;
    const drop = (partialBody: Buffer): void => {
      const delivered = rule?.deliverPartialBody && current ? Buffer.concat([...current.held, partialBody]) : undefined;
      droppedRequest = current;
      rule = undefined;
      current = undefined;
      client.destroy();
      if (delivered) upstream.end(delivered, () => upstream.destroy());
      else upstream.destroy();
    };
    client.on('data', (data: Buffer) => {
      let rest = data;
      while (rest.length > 0 && !client.destroyed) {
        if (!current) {
          head = Buffer.concat([head, rest]);
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return;
          let headText = head.subarray(0, end).toString('latin1');
          rest = head.subarray(end + 4);
          head = Buffer.alloc(0);
          const [method = '', requestTarget = ''] = headText.split(' ');
          if (stripMounts && method === 'POST' && requestTarget.includes('mount=')) {
            headText = headText.replace(requestTarget, requestTarget.split('?')[0]!);
          }
          const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(headText)?.[1] ?? 0);
          const hold = rule?.method === method;
          current = { method, target: requestTarget, bodyBytes: length, remaining: length, held: [], hold };
          // Only a matching request is held back until complete, so a drop forwards none of its body.
          if (hold) current.held.push(Buffer.from(headText + '\r\n\r\n', 'latin1'));
          else upstream.write(headText + '\r\n\r\n', 'latin1');
        }
        const take = rest.subarray(0, current.remaining);
        rest = rest.subarray(take.length);
        current.remaining -= take.length;
        if (current.hold && rule) {
          rule.seen += take.length;
          if (rule.seen >= rule.afterBodyBytes) return drop(take);
          current.held.push(take);
        } else if (current.hold) {
          current.held.push(take);
        } else {
          upstream.write(take);
        }
        if (current.remaining === 0) {
          if (current.hold) upstream.write(Buffer.concat(current.held));
          const { method, target: requestTarget, bodyBytes } = current;
          forwarded.push({ method, target: requestTarget, bodyBytes });
          current = undefined;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    port,
    requests: () => [...forwarded],
    forwardedBodyBytes: (method) =>
      forwarded.filter((request) => request.method === method).reduce((sum, request) => sum + request.bodyBytes, 0),
    ignoreMounts: (ignore) => {
      stripMounts = ignore;
    },
    dropOnce: (dropRule) => {
      rule = { ...dropRule, seen: 0 };
      droppedRequest = undefined;
    },
    dropped: () => droppedRequest,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
