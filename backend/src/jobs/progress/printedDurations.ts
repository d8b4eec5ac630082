import type { ProgressSignal } from './progressSignal.js';

/** Python's timedelta as logs print it: `0:12:34`, `1 day, 2:03:04`. */
export const TIMEDELTA = String.raw`(?:\d{1,5} days?, )?\d{1,2}:\d{2}:\d{2}`;
const RUN_ETA = new RegExp(String.raw`\beta: (${TIMEDELTA})`);

/** `12`, `00:12`, `1:02:03`, `1 day, 2:03:04` (Python timedelta) → seconds; `?`, `-:--:--` → undefined. */
export function durationSeconds(s: string): number | undefined {
  let days = 0;
  let rest = s;
  const comma = s.indexOf(', ');
  if (comma >= 0) {
    days = Number(s.slice(0, s.indexOf(' ')));
    rest = s.slice(comma + 2);
  }
  const parts = rest.split(':').map(Number);
  if (parts.length === 0 || parts.some((n) => !Number.isFinite(n))) return undefined;
  return parts.reduce((acc, n) => acc * 60 + n, 0) + days * 86400;
}

/** Adds the run's remaining time printed as `eta: 0:12:34` (MMEngine, MMCV, Detectron2), if the line has one. */
export function withRunEta(signal: ProgressSignal, piece: string): ProgressSignal {
  const eta = RUN_ETA.exec(piece);
  const seconds = eta ? durationSeconds(eta[1] ?? '') : undefined;
  return seconds === undefined ? signal : { ...signal, etaSeconds: seconds, etaScope: 'run' };
}
