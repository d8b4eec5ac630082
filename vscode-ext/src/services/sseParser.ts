/*
 * Server-Sent Events read as they arrive, split at any byte (pure TypeScript): text chunks go in,
 * each complete event's `data` comes out (several `data:` lines joined by newlines, comments and
 * other fields ignored), as the EventSource specification reads them.
 */

export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Feeds bytes (decoded as UTF-8 across chunk edges) or text; returns the events completed by it. */
  push(chunk: Uint8Array | string): string[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    const events: string[] = [];
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (this.buffer[end] === '\r' && end === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + (this.buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this.line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** The stream ended: an event not closed by a blank line still counts. */
  end(): string[] {
    const events = this.push(this.decoder.decode());
    if (this.buffer.length > 0) {
      const event = this.line(this.buffer);
      this.buffer = '';
      if (event !== undefined) events.push(event);
    }
    const last = this.line('');
    if (last !== undefined) events.push(last);
    return events;
  }

  private line(line: string): string | undefined {
    if (line === '') {
      if (this.data.length === 0) return undefined;
      const event = this.data.join('\n');
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    return undefined;
  }
}
