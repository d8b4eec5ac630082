/* Keras 2 and 3: `Epoch 2/10`, the step lines of each epoch, and the end-of-epoch lines. */
import { durationSeconds } from './printedDurations.js';
import type { Parsed, ProgressSignal } from './progressSignal.js';

/** Keras' ETA: `10s`, `1:02`, `1:02:03`. */
function kerasDurationSeconds(s: string): number | undefined {
  return s.endsWith('s') ? Number(s.slice(0, -1)) : durationSeconds(s);
}

// Keras 2: ` 120/469 [====>.....] - ETA: 10s - loss: 0.3`, `469/469 [=====] - 5s 10ms/step - loss: 0.3`
// Keras 3: ` 120/469 ━━━━━━━━━━━ 10s 22ms/step - loss: 0.3` (ANSI stripped), verbose=2: `469/469 - 5s - ...`

const KERAS_COUNT = /^\s{0,12}(\d{1,12})\/(\d{1,12}) /;
const KERAS2_REST =
  /\[[=>.]{0,200}\] - (?:ETA: (\d{1,6}(?::\d{2}){0,2}s?)|(\d{1,9})s \d{1,9}(?:m|u|µ)?s\/(?:step|sample))/y;
const KERAS3_REST = /━{0,200} (\d{1,6}(?::\d{2}){0,2}s?) \d{1,9}(?:m|u|µ)?s\/(?:step|sample)/y;
const KERAS_VERBOSE2_REST = /- (\d{1,9})s - /y;

/** `cut`: the count that starts a Keras bar lies before the examined window. */
export function parseKerasBar(piece: string, cut: boolean): Parsed {
  if (cut) return undefined;
  const count = KERAS_COUNT.exec(piece);
  if (!count) return undefined;
  const step = Number(count[1]);
  const totalSteps = Number(count[2]);
  const valid = totalSteps > 0 && step <= totalSteps;
  const at = count[0].length;
  const signal: ProgressSignal = { format: 'keras', step, totalSteps, stepScope: 'epoch', etaScope: 'counter' };
  KERAS2_REST.lastIndex = at;
  const k2 = KERAS2_REST.exec(piece);
  if (k2) {
    if (!valid) return null;
    if (k2[1] === undefined) return { ...signal, etaSeconds: 0, elapsedSeconds: Number(k2[2]) };
    return { ...signal, etaSeconds: kerasDurationSeconds(k2[1]) ?? 0 };
  }
  KERAS3_REST.lastIndex = at;
  const k3 = KERAS3_REST.exec(piece);
  if (k3) {
    if (!valid) return null;
    const t = kerasDurationSeconds(k3[1] ?? '') ?? 0;
    // At the end of an epoch Keras 3 prints the time spent where it otherwise prints the ETA.
    return step === totalSteps ? { ...signal, etaSeconds: 0, elapsedSeconds: t } : { ...signal, etaSeconds: t };
  }
  KERAS_VERBOSE2_REST.lastIndex = at;
  const v2 = KERAS_VERBOSE2_REST.exec(piece);
  if (v2) return valid && step === totalSteps ? { ...signal, etaSeconds: 0, elapsedSeconds: Number(v2[1]) } : null;
  return undefined;
}

const KERAS_EPOCH = /^\s{0,8}Epoch (\d{1,6})\/(\d{1,6})\s*$/;

export function parseKerasEpochLine(piece: string): Parsed {
  const keras = KERAS_EPOCH.exec(piece);
  if (!keras) return undefined;
  const epoch = Number(keras[1]);
  const totalEpochs = Number(keras[2]);
  if (totalEpochs === 0 || epoch > totalEpochs) return null;
  return { format: 'keras', epoch, epochBase: 1, totalEpochs };
}
