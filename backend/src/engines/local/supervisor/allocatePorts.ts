import { createServer, type Server } from 'node:net';

/** How many recently handed-out ports one allocator remembers so it never returns them again. */
const REMEMBERED_PORTS = 4096;
const MAX_ATTEMPTS = 20;

export interface PortAllocator {
  /** `n` distinct free TCP ports on 127.0.0.1, asked from the kernel (bind to port 0), never guessed. */
  allocate(n: number): Promise<number[]>;
}

export function createPortAllocator(host = '127.0.0.1'): PortAllocator {
  const handedOut = new Set<number>();

  async function allocate(n: number): Promise<number[]> {
    if (!Number.isInteger(n) || n < 0) throw new Error(`invalid port count: ${n}`);
    const ports: number[] = [];
    for (let attempt = 0; ports.length < n; attempt++) {
      if (attempt >= MAX_ATTEMPTS) throw new Error(`could not allocate ${n} distinct free ports`);
      // Hold every socket of this round open at once so the kernel cannot return one port twice.
      const servers = await Promise.all(Array.from({ length: n - ports.length }, () => listenOnAnyPort(host)));
      for (const { port } of servers) {
        if (!handedOut.has(port) && !ports.includes(port)) ports.push(port);
      }
      await Promise.all(servers.map(({ server }) => closeServer(server)));
    }
    for (const port of ports) remember(port);
    return ports;
  }

  function remember(port: number): void {
    handedOut.add(port);
    if (handedOut.size > REMEMBERED_PORTS) {
      const oldest = handedOut.values().next().value;
      if (oldest !== undefined) handedOut.delete(oldest);
    }
  }

  return { allocate };
}

const processAllocator = createPortAllocator();

/** Process-wide allocator: never hands out the same port twice within this process (recent 4096). */
export function allocatePorts(n: number): Promise<number[]> {
  return processAllocator.allocate(n);
}

function listenOnAnyPort(host: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no TCP address'));
        return;
      }
      resolve({ server, port: address.port });
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
