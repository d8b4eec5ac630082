import net from 'node:net';

const HEAD_END = Buffer.from('\r\n\r\n');

/** The length of a message whose head ends at `headEnd`: head, blank line and Content-Length body. */
function messageLength(buffer: Buffer, headEnd: number): number {
  const head = buffer.toString('latin1', 0, headEnd);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  return headEnd + HEAD_END.length + (length ? Number(length[1]) : 0);
}

/**
 * The least any Node.js proxy does, for reference only: node:net sockets with no HTTP library and
 * no gateway logic. It reads each request's head, strips `/services/bench` from its target, and
 * writes it to an upstream connection of its own (one per client connection, kept alive), then
 * copies the answer back. It knows only Content-Length bodies: enough for the bench's requests and
 * upstream, and what makes it a floor rather than a proxy anyone could deploy.
 */
export function rawSocketProxy(upstreamPort: number, onListening: (port: number) => void): void {
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    let upstream: net.Socket | undefined;
    let pending: Buffer | undefined;
    let answer: Buffer | undefined;
    let answerLeft = 0;
    const connectUpstream = (): net.Socket => {
      const socket = net.connect(upstreamPort, '127.0.0.1');
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => {
        answer = answer ? Buffer.concat([answer, chunk]) : chunk;
        while (answer?.length) {
          if (answerLeft === 0) {
            const headEnd = answer.indexOf(HEAD_END);
            if (headEnd < 0) return;
            answerLeft = messageLength(answer, headEnd);
          }
          const part = Math.min(answerLeft, answer.length);
          client.write(part === answer.length ? answer : answer.subarray(0, part));
          answerLeft -= part;
          answer = part < answer.length ? answer.subarray(part) : undefined;
        }
      });
      socket.on('error', () => client.destroy());
      client.on('close', () => socket.destroy());
      return socket;
    };
    client.on('error', () => upstream?.destroy());
    client.on('data', (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      while (pending) {
        const headEnd = pending.indexOf(HEAD_END);
        if (headEnd < 0) return;
        const length = messageLength(pending, headEnd);
        if (pending.length < length) return;
        const head = pending.toString('latin1', 0, headEnd);
        const targetStart = head.indexOf(' ') + 1;
        const targetEnd = head.indexOf(' ', targetStart);
        const target = head.slice(targetStart, targetEnd).replace(/^\/services\/bench/, '') || '/';
        upstream ??= connectUpstream();
        upstream.write(`${head.slice(0, targetStart)}${target}${head.slice(targetEnd)}\r\n\r\n`, 'latin1');
        if (length > headEnd + HEAD_END.length) upstream.write(pending.subarray(headEnd + HEAD_END.length, length));
        pending = length < pending.length ? pending.subarray(length) : undefined;
      }
    });
  });
  server.listen(0, '127.0.0.1', () => onListening((server.address() as net.AddressInfo).port));
}
