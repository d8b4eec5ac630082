/*
 * Plain text: `epoch 2/10`, `Epoch [2/10]`, `Epoch 2 of 10`, `step 150/1000`, `Step: 150 / 1000`,
 * `iter 30/100`, `batch 3/50`, `epoch=2 step=150`, `"epoch": 2`, a leading `[2/10]` followed by metrics
 * or nothing, and `第 2/10 轮`; also Detectron2's `eta: 0:12:34  iter: 199`, the PyTorch examples'
 * `Train Epoch: 1 [640/60000 (1%)]` and DCGAN's `[0/5][50/1583]`.
 *
 * Conservative: a counter needs a keyword right before it (`loaded 3/4 shards`, `rank 0/2`, dates and
 * `GPU 1/8` are not progress), `n <= total`, and the known look-alikes are excluded (docker's
 * `Step 1/5 : FROM`, ninja's `[3/12] /usr/bin/c++ ...`, yarn's `[1/4] Resolving packages...`).
 */
import { withRunEta } from './printedDurations.js';
import type { Parsed, ProgressSignal } from './progressSignal.js';

// Plain text. A counter needs a keyword right before it; without a total it needs `=` or `:` too.

const KEYWORD_COUNTER =
  /(?<![\w.])(epochs?|steps?|global_step|iters?|iterations?|batch(?:es)?)["']?\s{0,4}(?:([:=#])\s{0,4})?(?:[[(]\s{0,4})?(\d{1,9})(?:\s{0,4}(?:\/|of\b)\s{0,4}(\d{1,9}))?(?![\d/]|\.\d)/gi;
const DOCKER_STEP = /^\s*Step \d{1,6}\/\d{1,6} : [A-Z]/;
/** A leading `[2/10]` (or DCGAN's `[0/5][50/1583]`), then metrics or nothing — not ninja's `[3/12] /usr/bin/c++`. */
const LEADING_BRACKETS =
  /^\s{0,8}\[ {0,4}(\d{1,9}) {0,4}\/ {0,4}(\d{1,9}) {0,4}\](?:\[ {0,4}(\d{1,9}) {0,4}\/ {0,4}(\d{1,9}) {0,4}\])?(?=\s{0,8}$|\s{1,8}[\w ]{1,40}[:=] {0,4}-?\d)/;
const PYTORCH_EXAMPLE = /\bTrain Epoch: (\d{1,6}) \[(\d{1,12})\/(\d{1,12}) \(\d{1,3}%\)\]/;
const CHINESE_EPOCH = /第\s{0,4}(\d{1,6})\s{0,4}\/\s{0,4}(\d{1,6})\s{0,4}轮/;

export function parseText(piece: string, cut: boolean): Parsed {
  if (DOCKER_STEP.test(piece)) return null;

  const example = PYTORCH_EXAMPLE.exec(piece);
  if (example) {
    const step = Number(example[2]);
    const totalSteps = Number(example[3]);
    if (!(totalSteps > 0) || step > totalSteps) return undefined;
    return { format: 'text', epoch: Number(example[1]), step, totalSteps, stepScope: 'epoch' };
  }

  const brackets = cut ? null : LEADING_BRACKETS.exec(piece);
  if (brackets) {
    const [, a = '', b = '', c, d] = brackets;
    if (!counterOk(a, b) || (c !== undefined && !counterOk(c, d ?? ''))) return undefined;
    if (c === undefined || d === undefined) return { format: 'text', step: Number(a), totalSteps: Number(b) };
    return {
      format: 'text',
      epoch: Number(a),
      totalEpochs: Number(b),
      step: Number(c),
      totalSteps: Number(d),
      stepScope: 'epoch',
    };
  }

  const chinese = CHINESE_EPOCH.exec(piece);
  if (chinese) {
    const [, a = '', b = ''] = chinese;
    return counterOk(a, b) ? { format: 'text', epoch: Number(a), totalEpochs: Number(b) } : undefined;
  }

  let signal: ProgressSignal | undefined;
  let sawEpoch = false;
  let sawStep = false;
  KEYWORD_COUNTER.lastIndex = 0;
  for (let m = KEYWORD_COUNTER.exec(piece); m !== null; m = KEYWORD_COUNTER.exec(piece)) {
    const [, rawKeyword = '', separator, n = '', total] = m;
    const keyword = rawKeyword.toLowerCase();
    const isEpoch = keyword.startsWith('epoch');
    if (isEpoch ? sawEpoch : sawStep) continue;
    if (total === undefined) {
      // `epoch=2`, `step: 150`; not `steps = 1` (a setting) nor `step 2` (prose).
      if (separator === undefined || !['epoch', 'step', 'global_step', 'iter'].includes(keyword)) continue;
    } else if (!counterOk(n, total)) {
      continue;
    }
    signal ??= { format: 'text' };
    if (isEpoch) {
      sawEpoch = true;
      signal.epoch = Number(n);
      if (total !== undefined) signal.totalEpochs = Number(total);
    } else {
      sawStep = true;
      signal.step = Number(n);
      if (total !== undefined) signal.totalSteps = Number(total);
    }
  }
  return signal && withRunEta(signal, piece);
}

function counterOk(n: string, total: string): boolean {
  const a = Number(n);
  const b = Number(total);
  return b > 0 && a <= b;
}
