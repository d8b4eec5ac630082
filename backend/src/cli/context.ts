import { readFile } from 'node:fs/promises';
import path from 'node:path';
import WebSocket from 'ws';
import {
  ApiError,
  createClient,
  createEventSocket,
  type ApiClient,
  type ClientOptions,
  type EventSocket,
  type ServerMessage,
  type WebSocketFactory,
  type WebSocketLike,
} from '@aiplat/api';
import { DEFAULT_SERVER, messages } from './messages.js';

/** Where text goes: `process.stdout`, or a collector in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/** Everything the CLI touches outside itself, so a test can run it in-process against a real backend. */
export interface CliDeps {
  stdout: TextSink;
  stderr: TextSink;
  /** AIPLAT_SERVER, AIPLAT_TOKEN (and AIPLAT_DEBUG: print stacks of unexpected failures). */
  env: Readonly<Record<string, string | undefined>>;
  /** The typed client; `createClient` from @aiplat/api by default. */
  createClient?: (options: ClientOptions) => ApiClient;
  /** Opens WebSockets; the `ws` package by default. */
  createWebSocket?: WebSocketFactory;
  /** All of standard input, for `submit -f -`. */
  readStdin?: () => Promise<string>;
  /** Relative job files are read from here; `process.cwd()` by default. */
  cwd?: string;
  now?: () => Date;
  /** Runs a program on the terminal (`dev ssh --exec`) and resolves with its exit code; spawns it by default. */
  runInTerminal?: (argv: readonly string[]) => Promise<number>;
  /** How often job states and logs are polled when the WebSocket is not available; 1000 ms by default. */
  pollIntervalMs?: number;
}

/** A mistake in how the CLI was called: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const nodeWebSocketFactory: WebSocketFactory = (url, protocols) =>
  new WebSocket(url, protocols) as unknown as WebSocketLike;

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.once('error', reject);
  });
}

/** The real process's dependencies (used by `main.ts`). */
export function processDeps(): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    readStdin: () => readAll(process.stdin),
    cwd: process.cwd(),
  };
}

export interface GlobalOptions {
  server?: string;
  token?: string;
}

/** A connection to the backend for one command. */
export interface Connection {
  readonly baseUrl: string;
  readonly client: ApiClient;
  /** A new WebSocket to the backend's event endpoint (no reconnects: callers fall back to polling). */
  openEvents(handlers: {
    onMessage?: (message: ServerMessage) => void;
    onClose?: (code: number, reason: string) => void;
  }): EventSocket;
}

/** What every command gets: output, the injected deps, and a way to connect. */
export class CliContext {
  readonly now: () => Date;
  readonly pollIntervalMs: number;
  /** What the command ends with, unless it throws. */
  exitCode = 0;
  /** `aiplat <command>`, for usage hints. */
  commandName = 'aiplat';
  /** The server of the last connection, for "cannot reach" messages. */
  baseUrl: string | undefined;
  /** How issue paths are shown; `submit` shows the job.yaml's own field paths. */
  issuePath: (path: string) => string = (path) => path;

  constructor(readonly deps: CliDeps) {
    this.now = deps.now ?? (() => new Date());
    this.pollIntervalMs = deps.pollIntervalMs ?? 1000;
  }

  out(text: string): void {
    this.deps.stdout.write(text);
  }

  /** Progress and state lines: stderr, so stdout stays data (ids, tables, logs, YAML). */
  info(text: string): void {
    this.deps.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  serverUrl(options: GlobalOptions): string {
    const raw = (options.server ?? this.deps.env.AIPLAT_SERVER ?? '').trim() || DEFAULT_SERVER;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new UsageError(messages.errors.badServer(raw));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(messages.errors.badServer(raw));
    return raw.replace(/\/+$/, '');
  }

  connect(options: GlobalOptions): Connection {
    const baseUrl = this.serverUrl(options);
    this.baseUrl = baseUrl;
    const token = (options.token ?? this.deps.env.AIPLAT_TOKEN ?? '').trim();
    if (!token) throw new UsageError(messages.errors.missingToken);
    const client = (this.deps.createClient ?? createClient)({ baseUrl, token });
    const createWebSocket = this.deps.createWebSocket ?? nodeWebSocketFactory;
    return {
      baseUrl,
      client,
      openEvents: (handlers) => createEventSocket({ baseUrl, token, createWebSocket, reconnect: false, ...handlers }),
    };
  }

  async readJobFile(file: string): Promise<string> {
    if (file === '-') {
      if (!this.deps.readStdin) throw new UsageError(messages.submit.cannotRead('standard input', 'not available'));
      return this.deps.readStdin();
    }
    try {
      return await readFile(path.resolve(this.deps.cwd ?? process.cwd(), file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
      throw new UsageError(messages.submit.cannotRead(file, reason));
    }
  }
}

/** The innermost cause's code or message: `ECONNREFUSED`, `getaddrinfo ENOTFOUND host`... */
function rootCause(error: unknown): string {
  let current: unknown = error;
  let reason = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    reason = typeof code === 'string' && !code.startsWith('UND_') ? code : current.message;
    current = current.cause;
  }
  return reason;
}

/**
 * Prints an error as `error: <message>` and each issue as `  <path>: <message>`, never a stack;
 * returns the exit code (2 for usage errors, 1 otherwise).
 */
export function reportError(error: unknown, ctx: CliContext): number {
  const p = messages.errors.prefix;
  if (error instanceof UsageError) {
    ctx.info(`${p}${error.message}`);
    ctx.info(messages.errors.usageHint(ctx.commandName));
    return 2;
  }
  if (error instanceof ApiError) {
    if (error.code === 'network') {
      ctx.info(`${p}${messages.errors.unreachable(ctx.baseUrl ?? '?', rootCause(error.cause))}`);
      return 1;
    }
    const issues = error.issues ?? [];
    let message = error.message;
    // The server's message often repeats the issues ("invalid job: body.yaml.nodes: ..."): keep the headline.
    const first = issues[0];
    if (first) {
      const at = message.indexOf(`${first.path}: `);
      if (at > 0) message = message.slice(0, at).replace(/[\s:;,]+$/, '');
    }
    if (error.code === 'unauthorized') message = messages.errors.unauthorized(message);
    ctx.info(`${p}${message}`);
    for (const issue of issues) ctx.info(`  ${ctx.issuePath(issue.path)}: ${issue.message}`);
    return 1;
  }
  const text = error instanceof Error ? error.message : String(error);
  ctx.info(`${p}${messages.errors.unexpected(text)}`);
  if (ctx.deps.env.AIPLAT_DEBUG && error instanceof Error && error.stack) ctx.info(error.stack);
  return 1;
}
