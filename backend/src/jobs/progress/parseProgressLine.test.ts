import { describe, expect, it } from 'vitest';
import {
  itRecognises,
  type RecognisedLine,
  itIgnores,
  type IgnoredLine,
} from '../../../../testing/src/backend/progressCases.js';
import { MAX_EXAMINED_CHARS, parseProgressLine } from './parseProgressLine.js';

const ESC = '\x1b';

describe('parseProgressLine: redraws, colour and lines of no format', () => {
  describe('recognised', () => {
    const cases: RecognisedLine[] = [
      [
        'tqdm redraws written into a pipe: the last one',
        '\r  0%|          | 0/1000 [00:00<?, ?it/s]\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r 20%|██        | 200/1000 [00:04<00:16, 50.0it/s]',
        { step: 200, totalSteps: 1000, etaSeconds: 16 },
      ],
      [
        'tqdm redraws whose last one is cut short: the last complete one',
        '\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r 20%|██        | 200/10',
        { step: 100, totalSteps: 1000 },
      ],
      [
        'tqdm redraws ending with a carriage return',
        '\r 10%|█         | 100/1000 [00:02<00:18, 50.0it/s]\r',
        { step: 100, totalSteps: 1000 },
      ],
      [
        'tqdm with colour',
        ` 45%|${ESC}[32m████▌     ${ESC}[0m| 450/1000 [00:12<00:15, 36.5it/s]`,
        { step: 450, totalSteps: 1000 },
      ],
    ];

    itRecognises(cases);
  });

  describe('not progress', () => {
    const lines: IgnoredLine[] = [
      ['pip', 'Successfully installed torch-2.3.0 numpy-1.26.4'],
      ['python traceback', '  File "/usr/lib/python3.11/site-packages/torch/nn/modules/module.py", line 1501'],
      ['empty', ''],
      ['carriage returns only', '\r\r\r'],
    ];

    itIgnores(lines);
  });
});

describe('parseProgressLine: bounds', () => {
  it('reads progress at the end of a line longer than the examined window', () => {
    const line = `${'x'.repeat(20_000)}\r 20%|██        | 200/1000 [00:04<00:16, 50.0it/s]`;
    expect(parseProgressLine(line)).toMatchObject({ step: 200, totalSteps: 1000 });
  });

  it('does not look further back than the window', () => {
    expect(parseProgressLine(`Epoch 2/10 ${' '.repeat(MAX_EXAMINED_CHARS)}loss 0.3`)).toBeUndefined();
  });

  it('ignores a start-anchored format whose beginning lies before the window', () => {
    const line = ` 120/469 [${'='.repeat(MAX_EXAMINED_CHARS)}>] - ETA: 10s - loss: 0.3`;
    expect(parseProgressLine(line)).toBeUndefined();
  });

  const K = 16 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(K / unit.length));
  const pathological: [name: string, line: string][] = [
    ['digits', fill('1')],
    ['slashes between digits', fill('1/')],
    ['keywords', fill('epoch ')],
    ['keywords and separators', fill('step: = [ ')],
    ['percent bars', fill(' 45%|')],
    ['an endless bar', ` 45%|${fill('█')}| 450/1000 [00:12<`],
    ['unknown-total lookalike', `${fill('9')}it [00:12, `],
    ['nested brackets', fill('[1/2]')],
    ['dict braces', `${fill("{'epoch': ")}}`],
    ['Keras lookalike', `1/2 [${fill('=>.')}`],
    ['Rich lookalike', `Epoch 1/2 ${fill('━ • ')}`],
    ['spaces then a digit', `epoch${fill(' ')}1`],
    ['timedeltas', fill('eta: 1 day, ')],
    ['carriage returns', fill('\r1/')],
  ];

  it.each(pathological)('a 16 KiB line of %s', (_name, line) => {
    expect(line.length).toBeGreaterThanOrEqual(K);
    parseProgressLine(line);
    // The same shapes inside the window: every parser sees them in full.
    parseProgressLine(line.slice(0, MAX_EXAMINED_CHARS));
    parseProgressLine(line.slice(1, MAX_EXAMINED_CHARS));
  });
});
