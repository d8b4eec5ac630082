/*
 * Hugging Face Transformers' Trainer: its log dicts (`{'loss': ..., 'epoch': 1.5}`), the final
 * `{'train_runtime': ...}` and the `Num Epochs = 3` / `Total optimization steps = 1,000` header. Its
 * progress bar is a plain tqdm bar, read by `parseTqdm`.
 */
import type { Parsed, ProgressSignal } from './progressSignal.js';

// Transformers' Trainer logs: `{'loss': 0.5, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': 1.5}`

const HF_EPOCH = /'epoch': (?:np\.float\d{2}\()?'?(\d{1,6}(?:\.\d{1,17})?(?:e[-+]?\d{1,3})?)'?\)?[,}]/;

export function parseTransformersDict(piece: string, cut: boolean): ProgressSignal | undefined {
  const body = piece.trim();
  if (!body.endsWith('}') || (!cut && !body.startsWith("{'"))) return undefined;
  if (body.includes("'train_runtime'")) return { format: 'transformers', done: true };
  const m = HF_EPOCH.exec(body);
  if (!m) return undefined;
  const epochsDone = Number(m[1]);
  return Number.isFinite(epochsDone) ? { format: 'transformers', epochsDone } : undefined;
}

const HF_NUM_EPOCHS = /(?:^|\s)Num Epochs = ([\d,]{1,15})\s*$/;
const HF_TOTAL_STEPS = /(?:^|\s)Total optimization steps = ([\d,]{1,15})\s*$/;

export function parseTransformersHeader(piece: string): Parsed {
  const epochs = HF_NUM_EPOCHS.exec(piece);
  if (epochs) return { format: 'transformers', totalEpochs: Number((epochs[1] ?? '').replaceAll(',', '')) };
  const steps = HF_TOTAL_STEPS.exec(piece);
  if (steps) {
    return { format: 'transformers', totalSteps: Number((steps[1] ?? '').replaceAll(',', '')), stepScope: 'run' };
  }
  return undefined;
}
