import { SseParser } from './sseParser.js';

/*
 * An OpenAI-compatible chat completion streamed from a service through the gateway: POST
 * `<service>/v1/chat/completions` with `stream: true` and `stream_options.include_usage`, the body
 * read as it arrives and each delta handed on at once. Pure TypeScript (`fetch` is given), shared by
 * JupyterLab's chat box and VS Code's extension host.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** The `usage` of the last chunk (OpenAI's field names). */
export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/** What one SSE `data` of a chat completion stream holds. */
export interface ChatChunk {
  text: string;
  usage?: ChatUsage;
  /** `[DONE]`: the stream is over. */
  done: boolean;
}

/** The delta text and usage of one SSE data of a chat completion stream; an `error` object throws. */
export function readChatChunk(data: string): ChatChunk {
  if (data.trim() === '[DONE]') return { text: '', done: true };
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    return { text: '', done: false };
  }
  if (typeof chunk !== 'object' || chunk === null) return { text: '', done: false };
  const { choices, usage, error } = chunk as { choices?: unknown; usage?: unknown; error?: unknown };
  if (error) {
    const message = typeof error === 'object' && 'message' in error ? (error as { message: unknown }).message : error;
    throw new Error(String(message));
  }
  let text = '';
  if (Array.isArray(choices)) {
    for (const choice of choices as { delta?: { content?: unknown }; message?: { content?: unknown } }[]) {
      const content = choice?.delta?.content ?? choice?.message?.content;
      if (typeof content === 'string') text += content;
    }
  }
  return { text, done: false, ...(usage && typeof usage === 'object' ? { usage: usage as ChatUsage } : {}) };
}

export interface ChatRequest {
  /** The service's full URL through the gateway, e.g. `http://server/services/chat/`. */
  serviceUrl: string;
  /** The bearer token to send (the user's own platform token, or a service token). */
  token: string | undefined;
  messages: ChatMessage[];
  model?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Each delta's text, as it arrives. */
  onDelta: (text: string) => void;
}

export interface ChatResult {
  /** The whole reply, the deltas joined. */
  text: string;
  usage?: ChatUsage;
}

/** The error of a call the service (or the gateway) refused: its status and the start of its body. */
export class ServiceCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    statusText = '',
  ) {
    super(`${status}${statusText ? ` ${statusText}` : ''}${body ? `: ${body.slice(0, 500)}` : ''}`);
  }
}

/** Streams a chat completion; resolves with the whole reply once the stream ends. */
export async function streamChat(request: ChatRequest): Promise<ChatResult> {
  const doFetch = request.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
  const response = await doFetch(`${request.serviceUrl.replace(/\/+$/, '')}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    },
    body: JSON.stringify({
      ...(request.model ? { model: request.model } : {}),
      messages: request.messages,
      stream: true,
      stream_options: { include_usage: true },
    }),
    ...(request.signal ? { signal: request.signal } : {}),
  });
  if (!response.ok) {
    throw new ServiceCallError(response.status, await response.text().catch(() => ''), response.statusText);
  }
  const result: ChatResult = { text: '' };
  const take = (data: string): boolean => {
    const chunk = readChatChunk(data);
    if (chunk.usage) result.usage = chunk.usage;
    if (chunk.text) {
      result.text += chunk.text;
      request.onDelta(chunk.text);
    }
    return chunk.done;
  };
  // A server that ignored `stream` answers one JSON object.
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
    take(await response.text());
    return result;
  }
  const parser = new SseParser();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      const events = done ? parser.end() : parser.push(value);
      for (const data of events) if (take(data)) return result;
      if (done) return result;
    }
  } finally {
    void reader.cancel().catch(() => undefined);
  }
}
