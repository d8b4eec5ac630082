import { SseParser } from './sseParser.js';

/*
 * An OpenAI-compatible chat completion streamed from a service (pure TypeScript; `fetch` is
 * given): the extension host calls the gateway with the connection's token and hands each delta
 * to the page as it arrives.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface ChatRequest {
  /** The service's full URL, ending with `/`. */
  serviceUrl: string;
  token: string | undefined;
  messages: ChatMessage[];
  model?: string;
  signal?: AbortSignal;
  fetch?: typeof fetch;
  onDelta: (text: string) => void;
}

export interface ChatResult {
  usage?: ChatUsage;
  /** The whole reply, the deltas joined. */
  text: string;
}

/** The delta text and usage of one SSE data line of a chat completion stream. */
export function readChunk(data: string): { text: string; usage?: ChatUsage; done: boolean } {
  if (data.trim() === '[DONE]') return { text: '', done: true };
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    return { text: '', done: false };
  }
  if (typeof chunk !== 'object' || chunk === null) return { text: '', done: false };
  const { choices, usage, error } = chunk as { choices?: unknown; usage?: unknown; error?: unknown };
  if (error)
    throw new Error(typeof error === 'object' && error && 'message' in error ? String(error.message) : String(error));
  let text = '';
  if (Array.isArray(choices)) {
    for (const choice of choices as { delta?: { content?: unknown }; message?: { content?: unknown } }[]) {
      const content = choice?.delta?.content ?? choice?.message?.content;
      if (typeof content === 'string') text += content;
    }
  }
  return { text, done: false, ...(usage && typeof usage === 'object' ? { usage: usage as ChatUsage } : {}) };
}

/** Posts the chat to `<service>/v1/chat/completions` with `stream: true` and reads the deltas as they come. */
export async function streamChat(request: ChatRequest): Promise<ChatResult> {
  const doFetch = request.fetch ?? fetch;
  const response = await doFetch(new URL('v1/chat/completions', request.serviceUrl), {
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
    signal: request.signal,
  });
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new Error(`${response.status} ${response.statusText}${body ? `: ${body.slice(0, 500)}` : ''}`);
  }
  const result: ChatResult = { text: '' };
  const take = (data: string): boolean => {
    const chunk = readChunk(data);
    if (chunk.usage) result.usage = chunk.usage;
    if (chunk.text) {
      result.text += chunk.text;
      request.onDelta(chunk.text);
    }
    return chunk.done;
  };
  // A server that ignored `stream` answers one JSON object.
  if (!(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    take(await response.text());
    return result;
  }
  const parser = new SseParser();
  if (!response.body) return result;
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
