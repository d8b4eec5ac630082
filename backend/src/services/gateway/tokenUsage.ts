/**
 * LLM tokens spent per bearer token in the current minute and UTC day, and the OpenAI `usage`
 * read from responses: a JSON body's, or the SSE chunk that carries it (`stream_options.include_usage`).
 */
export class TokenUsage {
  private readonly spent = new Map<string, { minute: number; day: number; inMinute: number; inDay: number }>();

  add(tokenId: string, tokens: number, nowMs: number): void {
    const entry = this.current(tokenId, nowMs);
    entry.inMinute += tokens;
    entry.inDay += tokens;
  }

  used(tokenId: string, nowMs: number): { usedThisMinute: number; usedToday: number } {
    const entry = this.current(tokenId, nowMs);
    return { usedThisMinute: entry.inMinute, usedToday: entry.inDay };
  }

  /** Seconds until the spent limit frees up, or undefined when the token may call now. */
  refusal(
    tokenId: string,
    limits: { tokensPerMinute?: number; tokensPerDay?: number },
    nowMs: number,
  ): { retryAfter: number; message: string } | undefined {
    const { usedThisMinute, usedToday } = this.used(tokenId, nowMs);
    if (limits.tokensPerDay !== undefined && usedToday >= limits.tokensPerDay) {
      const nextDay = (Math.floor(nowMs / 86_400_000) + 1) * 86_400_000;
      return {
        retryAfter: Math.ceil((nextDay - nowMs) / 1000),
        message: `this token spent its ${limits.tokensPerDay} tokens of today (UTC)`,
      };
    }
    if (limits.tokensPerMinute !== undefined && usedThisMinute >= limits.tokensPerMinute) {
      const nextMinute = (Math.floor(nowMs / 60_000) + 1) * 60_000;
      return {
        retryAfter: Math.ceil((nextMinute - nowMs) / 1000),
        message: `this token spent its ${limits.tokensPerMinute} tokens of this minute`,
      };
    }
    return undefined;
  }

  private current(tokenId: string, nowMs: number) {
    const minute = Math.floor(nowMs / 60_000);
    const day = Math.floor(nowMs / 86_400_000);
    let entry = this.spent.get(tokenId);
    if (!entry) this.spent.set(tokenId, (entry = { minute, day, inMinute: 0, inDay: 0 }));
    if (entry.minute !== minute) Object.assign(entry, { minute, inMinute: 0 });
    if (entry.day !== day) Object.assign(entry, { day, inDay: 0 });
    return entry;
  }
}

/** The total tokens of an OpenAI `usage` object, when the value holds one. */
export function usageTokens(value: unknown): number | undefined {
  const usage = (
    value as { usage?: { total_tokens?: unknown; prompt_tokens?: unknown; completion_tokens?: unknown } } | null
  )?.usage;
  if (!usage || typeof usage !== 'object') return undefined;
  if (typeof usage.total_tokens === 'number') return usage.total_tokens;
  const prompt = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0;
  const completion = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0;
  return prompt + completion || undefined;
}

/**
 * Reads `usage` out of a response as it streams by, keeping only what it needs: the current SSE
 * line for event streams, the first 1 MiB of a JSON body.
 */
export class UsageTap {
  private pending = '';
  private json: Buffer[] = [];
  private jsonBytes = 0;
  tokens: number | undefined;

  constructor(private readonly kind: 'sse' | 'json' | 'other') {}

  static forContentType(contentType: string | undefined): UsageTap {
    const type = (contentType ?? '').toLowerCase();
    return new UsageTap(type.includes('text/event-stream') ? 'sse' : type.includes('json') ? 'json' : 'other');
  }

  push(chunk: Buffer): void {
    if (this.kind === 'sse') {
      this.pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.pending.indexOf('\n')) >= 0) {
        this.line(this.pending.slice(0, newline).trim());
        this.pending = this.pending.slice(newline + 1);
      }
      if (this.pending.length > 1 << 20) this.pending = '';
    } else if (this.kind === 'json' && this.jsonBytes < 1 << 20) {
      this.json.push(chunk);
      this.jsonBytes += chunk.length;
    }
  }

  end(): number | undefined {
    if (this.kind === 'sse' && this.pending) this.line(this.pending.trim());
    if (this.kind === 'json' && this.jsonBytes < 1 << 20) {
      const body = this.json.length === 1 ? this.json[0]! : Buffer.concat(this.json);
      // Most answers carry no usage: only those are parsed.
      if (!body.includes('"usage"')) return undefined;
      try {
        this.tokens = usageTokens(JSON.parse(body.toString('utf8')));
      } catch {
        /* not JSON after all: no usage */
      }
    }
    return this.tokens;
  }

  private line(line: string): void {
    if (!line.startsWith('data:') || !line.includes('usage')) return;
    try {
      const tokens = usageTokens(JSON.parse(line.slice(5).trim()));
      if (tokens !== undefined) this.tokens = tokens;
    } catch {
      /* a data line that is not JSON ([DONE]) */
    }
  }
}
