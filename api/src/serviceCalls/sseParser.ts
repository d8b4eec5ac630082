/*
 * Server-Sent Events read as they arrive, split at any byte: bytes (or text) go in, each complete
 * event's `data` comes out (several `data:` lines joined by newlines; comments and other fields
 * ignored), as the EventSource specification reads a stream. Pure TypeScript.
 */

export class SseParser {
  private _buffer = '';
  private _data: string[] = [];
  private readonly _decoder = new TextDecoder();

  /** Feeds bytes (UTF-8, decoded across chunk edges) or text; returns the events it completed. */
  push(chunk: Uint8Array | string): string[] {
    this._buffer += typeof chunk === 'string' ? chunk : this._decoder.decode(chunk, { stream: true });
    const events: string[] = [];
    for (;;) {
      const end = this._buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (this._buffer[end] === '\r' && end === this._buffer.length - 1) break;
      const line = this._buffer.slice(0, end);
      this._buffer = this._buffer.slice(end + (this._buffer.startsWith('\r\n', end) ? 2 : 1));
      const event = this._line(line);
      if (event !== undefined) events.push(event);
    }
    return events;
  }

  /** The stream ended: an event not closed by a blank line still counts. */
  end(): string[] {
    const events = this.push(this._decoder.decode());
    if (this._buffer.length > 0) {
      const event = this._line(this._buffer.replace(/\r$/, ''));
      this._buffer = '';
      if (event !== undefined) events.push(event);
    }
    const last = this._line('');
    if (last !== undefined) events.push(last);
    return events;
  }

  private _line(line: string): string | undefined {
    if (line === '') {
      if (this._data.length === 0) return undefined;
      const event = this._data.join('\n');
      this._data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this._data.push(value);
    return undefined;
  }
}
