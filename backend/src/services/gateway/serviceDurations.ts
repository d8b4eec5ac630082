import type { Histogram, Registry } from 'prom-client';

type ExposedValue = { value: number; labels: Record<string, string | number>; metricName: string };

interface Counts {
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/**
 * The services' call durations as a Prometheus histogram labelled by service, kept as plain counts
 * and written out when scraped. prom-client's Histogram takes one observation at a time and
 * hashes its labels on each; the data plane reports its calls as (duration, count) pairs, and
 * observing them one by one cost the backend about a microsecond per call nginx served.
 * The exposition is prom-client's Histogram's, to the line: prom-client's registry reads any
 * metric through `get()` (its types name only its own classes, hence the cast in `register`).
 */
export class ServiceDurations {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts = new Map<string, Counts>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
  ) {}

  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Histogram);
    return this;
  }

  observe(service: string, seconds: number, count = 1): void {
    let counts = this.counts.get(service);
    if (!counts) {
      counts = { buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
      this.counts.set(service, counts);
    }
    let i = 0;
    while (i < this.bounds.length && seconds > this.bounds[i]!) i++;
    counts.buckets[i]! += count;
    counts.sum += seconds * count;
    counts.count += count;
  }

  remove(service: string): void {
    this.counts.delete(service);
  }

  reset(): void {
    this.counts.clear();
  }

  get(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: ExposedValue[];
  }> {
    const values: ExposedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const [service, counts] of this.counts) {
      let cumulative = 0;
      for (const [i, le] of this.bounds.entries()) {
        cumulative += counts.buckets[i]!;
        values.push({ value: cumulative, labels: { le, service }, metricName: bucket });
      }
      values.push({ value: counts.count, labels: { le: '+Inf', service }, metricName: bucket });
      values.push({ value: counts.sum, labels: { service }, metricName: `${this.name}_sum` });
      values.push({ value: counts.count, labels: { service }, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }
}
