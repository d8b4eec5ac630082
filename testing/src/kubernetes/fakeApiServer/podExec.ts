import { spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, apiErrors, failure, type Status } from './apiErrors.js';
import { isRecord, type KubeObject } from './kubeObject.js';
import { logContainer } from './podLogs.js';

/*
 * `pods/<name>/exec` as the API server and the kubelet serve it, over a WebSocket with the channel
 * protocol (`v5.channel.k8s.io`, `v4.channel.k8s.io`): each binary message is one channel byte and
 * data (1 stdout, 2 stderr, 3 the final Status). What is fake: there is no container. The command
 * runs for real as a child process of the test on this machine, as the test's `ExecRunner` maps it
 * (as-is by default). What is real: the request, the refusals before the upgrade (missing pod, a
 * container that does not run), the framing, back-pressure (a frame is sent only once the previous
 * one was written to the socket, so a client that stops reading stops the command), and the exit
 * code as the kubelet reports it. A client that goes away closes the command's pipes, as the
 * runtime does: a command that writes then ends (EPIPE or SIGPIPE); one that does not runs on (and
 * is killed when the fake closes).
 */

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** The command as the client asked for it (the container's argv). */
  command: string[];
}

/** What to run on this machine for a command asked of a container. */
export interface ExecCommand {
  file: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export type ExecRunner = (request: ExecRequest) => ExecCommand;

/** One exec the fake ran: what was asked, the child it started, and how it ended. */
export interface ExecRecord extends ExecRequest {
  protocol: string;
  child?: ChildProcess;
  /** Resolves when the child has exited (with its code or signal) or could not start. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export const runAsIs: ExecRunner = ({ command }) => ({ file: command[0]!, args: command.slice(1) });

function sendStatusAndClose(ws: WebSocket, status: object): void {
  ws.send(Buffer.concat([Buffer.from([STATUS]), Buffer.from(JSON.stringify(status))]), () => ws.close(1000));
}

/** The Status the kubelet sends on channel 3 for a command that ended. */
export function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: exit status ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export class PodExecs {
  readonly records: ExecRecord[] = [];
  runner: ExecRunner = runAsIs;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  private readonly children = new Set<ChildProcess>();
  private readonly sockets = new Set<WebSocket>();

  /**
   * Checks an exec request as the API server does, then upgrades it. `pod` is the stored pod, or
   * undefined when there is none. Throws an ApiError for the refusals answered before the upgrade.
   */
  upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    target: { namespace: string; name: string; pod: KubeObject | undefined; query: URLSearchParams },
  ): void {
    const { namespace, name, pod, query } = target;
    if (!pod) throw new ApiError(failure(404, `pods "${name}" not found`, 'NotFound', { name, kind: 'pods' }));
    const phase = isRecord(pod.status) ? pod.status.phase : undefined;
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw apiErrors.badRequest(`cannot exec into a container in a completed pod; current phase is ${String(phase)}`);
    }
    const container = logContainer(pod, query.get('container') ?? undefined);
    const command = query.getAll('command');
    if (command.length === 0) throw apiErrors.badRequest('you must specify at least 1 command');
    const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!PROTOCOLS.some((p) => offered.includes(p))) {
      throw apiErrors.badRequest(`this fake speaks only ${PROTOCOLS.join(', ')} (offered: ${offered.join(', ')})`);
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.run(ws, { namespace, pod: name, container, command }, query);
    });
  }

  /** Cuts every exec connection without a close frame, as a dropped network does; returns how many. */
  breakAll(): number {
    const count = this.sockets.size;
    for (const ws of this.sockets) ws.terminate();
    return count;
  }

  /** Kills the children still running (their clients are gone). */
  close(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.wss.close();
  }

  private run(ws: WebSocket, request: ExecRequest, query: URLSearchParams): void {
    let child: ChildProcess | undefined;
    let error: Error | undefined;
    try {
      const { file, args, cwd, env } = this.runner(request);
      child = spawn(file, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (thrown) {
      error = thrown as Error;
    }
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      if (!child) return resolve({ code: null, signal: null });
      child.once('error', (spawnError) => {
        error = spawnError;
        resolve({ code: null, signal: null });
      });
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    this.records.push({ ...request, protocol: ws.protocol, ...(child ? { child } : {}), exited });
    if (child) {
      const started = child;
      this.children.add(started);
      void exited.then(() => this.children.delete(started));
    }
    let open = true;
    this.sockets.add(ws);
    ws.on('close', () => {
      open = false;
      this.sockets.delete(ws);
      // The stream is gone: the command's pipes close with it.
      child?.stdout?.destroy();
      child?.stderr?.destroy();
    });
    ws.on('error', () => undefined);
    const pumps = [
      query.get('stdout') === 'false' || !child?.stdout ? Promise.resolve() : this.pump(ws, STDOUT, child.stdout),
      query.get('stderr') === 'false' || !child?.stderr ? Promise.resolve() : this.pump(ws, STDERR, child.stderr),
    ];
    void Promise.all(pumps).then(async () => {
      const { code, signal } = await exited;
      if (!open) return;
      if (error) {
        sendStatusAndClose(ws, {
          metadata: {},
          status: 'Failure',
          message: `failed to exec in container: starting the command: ${error.message}`,
          reason: 'InternalError',
          details: { causes: [{ message: error.message }] },
        } satisfies Omit<Status, 'kind' | 'apiVersion' | 'code'>);
      } else {
        sendStatusAndClose(ws, exitStatus(code ?? (signal ? 128 + signalNumber(signal) : 1)));
      }
    });
  }

  /** Sends what a pipe gives on one channel, one frame at a time: the next read waits for the socket. */
  private async pump(ws: WebSocket, channel: number, stream: Readable): Promise<void> {
    try {
      for await (const chunk of stream) {
        if (ws.readyState !== ws.OPEN) break;
        const frame = Buffer.concat([Buffer.from([channel]), chunk as Buffer]);
        await new Promise<void>((resolve) => ws.send(frame, () => resolve()));
      }
    } catch {
      // The pipe was closed because the client went away.
    }
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGPIPE: 13, SIGINT: 2 };
  return numbers[signal] ?? 1;
}
