/*
 * PyTorch Lightning: the Rich bar `Epoch 3/9 ━━━ 450/1000 0:00:12 • 0:00:15 36.50it/s` (0-based, `/9` is
 * the last index) and `` `Trainer.fit` stopped: `max_epochs=10` reached. `` Its tqdm bar is read by
 * `parseTqdm`. A bare `Epoch 3/9` line is read as Keras', 1-based; Lightning's 0-based `Epoch 3/9` is
 * recognised with its Rich bar.
 */
import { durationSeconds, TIMEDELTA } from './printedDurations.js';
import type { Parsed, ProgressSignal } from './progressSignal.js';

// Lightning's Rich bar: `Epoch 3/9  ━━━━━━━━━ 450/1000 0:00:12 • 0:00:15 36.50it/s v_num: 0 loss: 0.5`

const RICH = new RegExp(
  String.raw`(\d{1,12})(?:\.0)?\/(\d{1,12}(?:\.0)?|--) (${TIMEDELTA}|-:--:--) • (${TIMEDELTA}|-:--:--)(?: \d{1,12}\.\d{2}it\/s)?`,
);
const RICH_DESC = /^\s*Epoch (\d{1,6})(?:\/(-?\d{1,6}))?[\s━╸╺─]*$/;

export function parseLightningRich(piece: string, cut: boolean): Parsed {
  if (cut || !piece.includes(' • ')) return undefined;
  const m = RICH.exec(piece);
  if (!m) return undefined;
  const desc = RICH_DESC.exec(piece.slice(0, m.index));
  if (!desc) return undefined;
  const [, n = '', total = '', elapsed = '', remaining = ''] = m;
  const signal: ProgressSignal = { format: 'lightning', step: Number(n), epoch: Number(desc[1]), epochBase: 0 };
  signal.stepScope = 'epoch';
  const last = desc[2] === undefined ? -1 : Number(desc[2]);
  if (last >= 0) signal.totalEpochs = last + 1;
  if (total !== '--') {
    signal.totalSteps = Number(total);
    if (!(signal.totalSteps > 0) || Number(n) > signal.totalSteps) return null;
  }
  const eta = durationSeconds(remaining);
  const spent = durationSeconds(elapsed);
  if (eta !== undefined) Object.assign(signal, { etaSeconds: eta, etaScope: 'counter' });
  if (spent !== undefined) signal.elapsedSeconds = spent;
  return signal;
}

const LIGHTNING_STOPPED = /`?Trainer\.fit`? stopped: `?max_(?:epochs=(-?\d{1,12})|steps=-?\d{1,12})`? reached/;

export function parseLightningStopped(piece: string): Parsed {
  const stopped = LIGHTNING_STOPPED.exec(piece);
  if (!stopped) return undefined;
  const maxEpochs = stopped[1] === undefined ? -1 : Number(stopped[1]);
  return maxEpochs > 0
    ? { format: 'lightning', done: true, totalEpochs: maxEpochs }
    : { format: 'lightning', done: true };
}
