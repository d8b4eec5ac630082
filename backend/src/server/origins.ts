/**
 * Browser origins allowed to call the API and open the WebSocket. Requests without an Origin
 * (curl, the CLI, VS Code's extension host) are not browser requests and pass; bearer tokens
 * still guard them.
 */
export class OriginPolicy {
  private readonly allowed: Set<string>;
  private readonly any: boolean;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.allowed = new Set(origins.map((o) => o.toLowerCase()));
  }

  /** `host` is the request's Host header: a page served by this server is always allowed. */
  isAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (!origin) return true;
    if (this.any) return true;
    const normalized = origin.toLowerCase();
    if (this.allowed.has(normalized)) return true;
    try {
      return host !== undefined && new URL(normalized).host === host.toLowerCase();
    } catch {
      return false;
    }
  }
}
