import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

/** Where a JupyterLab listens, as the platform's proxy reaches it (a dev machine's IDE endpoint). */
export interface LabSocket {
  socketPath: string;
  /** The path prefix JupyterLab serves under, ending in `/`. */
  prefix: string;
  headers: Record<string, string>;
}

/**
 * A notebook's connection to a kernel, as JupyterLab's own client makes it: the kernel's channels
 * WebSocket and the messaging protocol's execute_request, so a cell runs for real.
 */
export class KernelConnection {
  private constructor(
    private readonly socket: WebSocket,
    private readonly session: string,
  ) {}

  static async open(lab: LabSocket, kernelId: string): Promise<KernelConnection> {
    const session = randomUUID();
    const socket = new WebSocket(
      `ws+unix://${lab.socketPath}:${lab.prefix}api/kernels/${kernelId}/channels?session_id=${session}`,
      { headers: lab.headers },
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new KernelConnection(socket, session);
  }

  /** Sends a cell; resolves once the kernel is idle again after it (its reply's status). */
  execute(code: string): { started: Promise<void>; done: Promise<void> } {
    const msgId = randomUUID();
    let started = () => {};
    const startedPromise = new Promise<void>((resolve) => (started = resolve));
    const done = new Promise<void>((resolve, reject) => {
      const onMessage = (data: WebSocket.RawData) => {
        const message = JSON.parse(data.toString()) as {
          parent_header?: { msg_id?: string };
          msg_type?: string;
          content?: { execution_state?: string };
        };
        if (message.parent_header?.msg_id !== msgId || message.msg_type !== 'status') return;
        if (message.content?.execution_state === 'busy') started();
        if (message.content?.execution_state === 'idle') {
          this.socket.off('message', onMessage);
          resolve();
        }
      };
      this.socket.on('message', onMessage);
      this.socket.once('close', () => reject(new Error('the kernel connection closed during the cell')));
    });
    this.socket.send(
      JSON.stringify({
        channel: 'shell',
        header: {
          msg_id: msgId,
          msg_type: 'execute_request',
          session: this.session,
          username: 'test',
          version: '5.3',
          date: new Date().toISOString(),
        },
        parent_header: {},
        metadata: {},
        content: {
          code,
          silent: false,
          store_history: true,
          user_expressions: {},
          allow_stdin: false,
          stop_on_error: true,
        },
        buffers: [],
      }),
    );
    return { started: startedPromise, done };
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
