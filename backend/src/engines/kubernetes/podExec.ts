import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { Exec, type KubeConfig, type V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';

/*
 * A command in a pod's container through `pods/<name>/exec` (what `kubectl exec` does): client-node's
 * `Exec` builds the request and reads the channels (1 stdout, 2 stderr, 3 the Status with the exit
 * code), over a connection made here and handed to it as its WebSocketInterface. Made here because
 * client-node's own handler gives the socket out only once it is open (frames may have come by then),
 * says only "Unexpected server response: 404" when the API server refuses, and writes stdout without
 * looking at what `write` returns. Here the socket is paused while the output's `write` returns false
 * and resumed on its 'drain', so a layer of gigabytes flows at the pace its reader takes it; the
 * API server's Status is the error of a refusal; aborting closes the socket.
 */

export interface PodExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

export interface PodExecIo {
  /** Written to, never ended: the caller ends it. */
  stdout: Writable;
  stderr: Writable;
  /** Aborting closes the connection; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** How errors name the pod; `pod <namespace>/<name>` unless given. */
  subject?: string;
}

/** The subprotocols offered, newest first: v5 adds a close signal for stdin, unused here. */
const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const HANDSHAKE_TIMEOUT_MS = 30_000;
/** The v5 channel that says the other side closed a stream. */
const CLOSE_CHANNEL = 255;

/** The exit code a Status on channel 3 gives, or the error it says. */
export function exitCodeOf(status: V1Status): number | Error {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  if (cause?.message !== undefined && /^\d+$/.test(cause.message)) return Number(cause.message);
  return new Error(status.message || status.reason || 'the command failed and the API server gave no exit code');
}

/** The message of a refused upgrade: the API server's Status body, else its HTTP status. */
async function refusalOf(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > 64 * 1024) break;
    }
  } catch {
    // What came is enough.
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not a Status object.
  }
  return `the API server answered ${response.statusCode ?? '?'}${text.trim() ? `: ${text.trim().slice(0, 300)}` : ''}`;
}

/** client-node's WebSocketInterface, keeping the socket and turning refusals into their Status' words. */
class ExecConnection {
  socket?: WebSocket;

  constructor(
    private readonly kc: KubeConfig,
    private readonly onSocket: (socket: WebSocket) => void,
    /** A frame Exec could not read (a channel it does not know, a Status that is not JSON). */
    private readonly onBadFrame: (error: unknown) => void,
  ) {}

  async connect(
    path: string,
    textHandler: ((text: string) => boolean) | null,
    binaryHandler: ((stream: number, buff: Buffer) => boolean) | null,
  ): Promise<WebSocket> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig names no current cluster');
    const url = `${server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
    const options: WebSocket.ClientOptions = { handshakeTimeout: HANDSHAKE_TIMEOUT_MS };
    await this.kc.applyToHTTPSOptions(options);
    return new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url, PROTOCOLS, options);
      this.socket = socket;
      this.onSocket(socket);
      socket.on('unexpected-response', (request, response) => {
        void refusalOf(response).then((message) => {
          reject(new Error(message));
          request.destroy();
          socket.terminate();
        });
      });
      socket.once('open', () => resolve(socket));
      socket.on('error', (error) => reject(error));
      socket.on('message', (data: Buffer, isBinary) => {
        if (!isBinary) {
          if (textHandler && !textHandler(data.toString('utf8'))) socket.close();
          return;
        }
        if (data.length === 0 || data[0] === CLOSE_CHANNEL) return;
        try {
          if (binaryHandler && !binaryHandler(data[0]!, data.subarray(1))) socket.close();
        } catch (error) {
          this.onBadFrame(error);
        }
      });
    });
  }
}

/**
 * Runs `command` in the container; resolves with its exit code once the API server sends the
 * Status. Rejects, naming the pod, when the API server refuses, the connection breaks first, the
 * command cannot start, an output stream fails, or the signal aborts.
 */
export async function execInPod(
  kc: KubeConfig,
  target: PodExecTarget,
  command: string[],
  io: PodExecIo,
): Promise<number> {
  const subject = io.subject ?? `pod ${target.namespace}/${target.pod}`;
  const { signal } = io;
  if (signal?.aborted) throw signal.reason;
  let socket: WebSocket | undefined;
  const waiting = new Set<Writable>();
  const cleanups: (() => void)[] = [];
  let settle: { resolve: (code: number) => void; reject: (error: unknown) => void } | undefined;
  const result = new Promise<number>((resolve, reject) => (settle = { resolve, reject }));
  let settled = false;
  const finish = (outcome: { code: number } | { error: unknown }) => {
    if (settled) return;
    settled = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
    waiting.clear();
    if ('code' in outcome) {
      socket?.close();
      settle!.resolve(outcome.code);
    } else {
      socket?.terminate();
      settle!.reject(outcome.error);
    }
  };
  const fail = (message: string) => finish({ error: new Error(`${subject}: ${message}`) });

  /** Holds the socket until `output` drains. */
  const hold = (output: Writable) => {
    if (waiting.has(output)) return;
    waiting.add(output);
    socket?.pause();
    const drained = () => {
      waiting.delete(output);
      if (waiting.size === 0 && !settled) socket?.resume();
    };
    output.once('drain', drained);
    cleanups.push(() => output.off('drain', drained));
  };
  /** What `Exec` writes each channel's data into: passed on to the caller's stream. Never buffers. */
  const forwardTo = (output: Writable, name: string) => {
    const closed = () => fail(`the command's ${name} was closed before the command ended`);
    output.once('close', closed);
    cleanups.push(() => output.off('close', closed));
    const forward = new Writable({
      write(chunk: Buffer, _encoding, done) {
        if (!settled) {
          if (output.destroyed || output.writableEnded) closed();
          else if (!output.write(chunk)) hold(output);
        }
        done();
      },
      // `Exec` ends its streams when the Status comes; the caller's are the caller's to end.
      final: (done) => done(),
    });
    forward.on('error', () => undefined);
    return forward;
  };

  if (signal) {
    const aborted = () => finish({ error: signal.reason });
    signal.addEventListener('abort', aborted, { once: true });
    cleanups.push(() => signal.removeEventListener('abort', aborted));
  }
  const connection = new ExecConnection(
    kc,
    (opened) => {
      socket = opened;
      // Aborted while the kubeconfig's credentials were read: no command is started.
      if (settled) {
        opened.terminate();
        return;
      }
      // Before it opens, a failure is the connect's rejection.
      opened.once('open', () => {
        opened.on('error', (error) => fail(`the exec connection failed: ${error.message}`));
        opened.on('close', (code, reason) =>
          fail(
            `the exec connection closed before the command ended (code ${code}${reason.length ? `: ${reason.toString()}` : ''})`,
          ),
        );
      });
    },
    (error) =>
      fail(
        `the API server sent what the exec protocol does not allow: ${error instanceof Error ? error.message : String(error)}`,
      ),
  );
  const exec = new Exec(kc, connection);
  try {
    await exec.exec(
      target.namespace,
      target.pod,
      target.container,
      command,
      forwardTo(io.stdout, 'stdout'),
      forwardTo(io.stderr, 'stderr'),
      null,
      false,
      (status) => {
        const outcome = exitCodeOf(status);
        if (typeof outcome === 'number') finish({ code: outcome });
        else fail(outcome.message);
      },
    );
  } catch (error) {
    if (!settled) fail(`could not run ${command[0] ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result;
}

/** Runs a short command in a pod and gives back what it printed (stderr is dropped) and its exit code. */
export async function execOutputInPod(
  kc: KubeConfig,
  target: PodExecTarget,
  command: string[],
): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const code = await execInPod(kc, target, command, {
    stdout: new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        stdout += chunk.toString();
        done();
      },
    }),
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  return { code, stdout };
}
