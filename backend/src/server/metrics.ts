import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The server's Prometheus metrics, in a registry of its own (no global state between tests). */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'aiplat_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'aiplat_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'aiplat_ws_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly wsMessagesSent = new Counter({
    name: 'aiplat_ws_messages_sent_total',
    help: 'WebSocket messages sent',
    registers: [this.registry],
  });
  readonly wsDisconnects = new Counter({
    name: 'aiplat_ws_disconnects_total',
    help: 'WebSocket connections closed by the server, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'aiplat_' });
  }
}
