import { jobProgressIn, type JobProgress, type JobState } from '@aiplat/api';

/** Percent done (0-100) from whatever the progress says: percent, steps, or epochs. */
export function progressPercent(progress: JobProgress | undefined): number | undefined {
  if (!progress) return undefined;
  if (progress.percent !== undefined) return clampPercent(progress.percent);
  if (progress.step !== undefined && progress.totalSteps) {
    return clampPercent((progress.step / progress.totalSteps) * 100);
  }
  if (progress.epoch !== undefined && progress.totalEpochs) {
    return clampPercent((progress.epoch / progress.totalEpochs) * 100);
  }
  return undefined;
}

function clampPercent(value: number): number {
  return Math.min(100, Math.max(0, value));
}

/**
 * Seconds left at `nowMs`: the reported ETA less the time since the line it was read from.
 * Never below 0; undefined without an ETA.
 */
export function remainingSeconds(progress: JobProgress | undefined, nowMs: number): number | undefined {
  if (progress?.etaSeconds === undefined) return undefined;
  const updated = progress.updatedAt ? Date.parse(progress.updatedAt) : NaN;
  const elapsed = Number.isFinite(updated) ? Math.max(0, (nowMs - updated) / 1000) : 0;
  return Math.max(0, progress.etaSeconds - elapsed);
}

/** `2h 05m`, `3m 07s`, `12s`: a compact duration, language-neutral. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(rest)}s`;
  return `${rest}s`;
}

/** `step 150/1000 · epoch 2/10`: the counters the progress has, language-neutral. */
export function progressCounters(progress: JobProgress | undefined): string {
  if (!progress) return '';
  const parts: string[] = [];
  if (progress.epoch !== undefined) {
    parts.push(`epoch ${progress.epoch}${progress.totalEpochs ? `/${progress.totalEpochs}` : ''}`);
  }
  if (progress.step !== undefined) {
    parts.push(`step ${progress.step}${progress.totalSteps ? `/${progress.totalSteps}` : ''}`);
  }
  return parts.join(' · ');
}

/** What a progress header shows: percent done, the counters, and the seconds left (never for a finished job). */
export interface ProgressParts {
  percent?: number;
  counters: string;
  secondsLeft?: number;
}

/**
 * The parts of the progress of a job in `state` at `nowMs`: a finished job (Succeeded, Failed, Stopped)
 * shows what it reached without an ETA, whatever the progress still says.
 */
export function progressParts(state: JobState, progress: JobProgress | undefined, nowMs: number): ProgressParts {
  const shown = jobProgressIn(state, progress);
  const parts: ProgressParts = { counters: progressCounters(shown) };
  const percent = progressPercent(shown);
  if (percent !== undefined) parts.percent = percent;
  const left = state === 'Running' ? remainingSeconds(shown, nowMs) : undefined;
  if (left !== undefined) parts.secondsLeft = left;
  return parts;
}
