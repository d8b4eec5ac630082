import type { LogLine } from './schemas/jobLogs.js';

/** `loss: 0.53`, `loss=0.53`, `'loss': 0.53`, `train_loss 0.53` (not val_loss). */
const LOSS_PATTERN = /(?<![\w])(?:train_)?loss['"]?\s*[:=]?\s*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i;

/**
 * The loss a job printed on a line of its own output, if it printed one: what both IDEs chart as
 * the loss curve (platform lines never count).
 */
export function lossOfLine(line: Pick<LogLine, 'stream' | 'text'>): number | undefined {
  if (line.stream === 'platform') return undefined;
  const match = LOSS_PATTERN.exec(line.text);
  if (!match) return undefined;
  const value = Number(match[1]);
  return Number.isFinite(value) ? value : undefined;
}
