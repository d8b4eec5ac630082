import { lossOfLine, type LogLine } from '@aiplat/api';
import type { ChartSeries } from './chartLayout.js';

/** The most points kept per instance; older ones are dropped (the chart shows the recent curve). */
export const MAX_LOSS_POINTS = 2000;

/**
 * A loss curve per instance from the log lines that print one, x being the line's time: only what
 * the job's own output says. Lines arrive in batches (the log follower); `add` keeps the order.
 */
export class LossSeries {
  private readonly byInstance = new Map<number, [number, number][]>();

  /** Adds the lines' losses; true when any was found. */
  add(lines: readonly LogLine[]): boolean {
    let found = false;
    for (const line of lines) {
      const value = lossOfLine(line);
      const time = Date.parse(line.time);
      if (value === undefined || !Number.isFinite(time)) continue;
      let points = this.byInstance.get(line.instance);
      if (!points) this.byInstance.set(line.instance, (points = []));
      points.push([time, value]);
      if (points.length > MAX_LOSS_POINTS) points.splice(0, points.length - MAX_LOSS_POINTS);
      found = true;
    }
    return found;
  }

  series(): ChartSeries[] {
    return [...this.byInstance.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([instance, points]) => ({ instance, points: [...points] }));
  }
}
