import { withRunEta } from './printedDurations.js';
import type { Parsed, ProgressSignal } from './progressSignal.js';

// MMEngine / MMCV: `Epoch(train)  [1][ 50/391]  lr: 1.0e-01  eta: 0:12:34 ...`, `Iter(train) [ 50/90000] ...`

const MM_EPOCH = /\bEpoch(?:\((\w{1,16})\))? {0,8}\[ {0,8}(\d{1,9})\]\[ {0,8}(\d{1,9})\/(\d{1,9})\]/;
const MM_ITER = /\bIter(?:\((\w{1,16})\))? {0,8}\[ {0,8}(\d{1,9})\/(\d{1,9})\]/;

export function parseMmengine(piece: string): Parsed {
  const epoch = MM_EPOCH.exec(piece);
  const iter = epoch ? undefined : MM_ITER.exec(piece);
  const m = epoch ?? iter;
  if (!m) return undefined;
  const mode = m[1];
  if (mode !== undefined && mode !== 'train') return null;
  const signal: ProgressSignal = epoch
    ? {
        format: 'mmengine',
        epoch: Number(epoch[2]),
        epochBase: 1,
        step: Number(epoch[3]),
        totalSteps: Number(epoch[4]),
        stepScope: 'epoch',
      }
    : { format: 'mmengine', step: Number(m[2]), totalSteps: Number(m[3]), stepScope: 'run' };
  if (!((signal.totalSteps ?? 0) > 0) || (signal.step ?? 0) > (signal.totalSteps ?? 0)) return null;
  return withRunEta(signal, piece);
}
