import type { LogLine } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { LogBuffer, isErrorLine } from './logBuffer.js';

const line = (instance: number, seq: number, text: string, stream: LogLine['stream'] = 'stdout'): LogLine => ({
  time: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  instance,
  seq,
  stream,
  text,
});

describe('LogBuffer', () => {
  it('keeps lines once each, per instance, and drops the oldest past its cap', () => {
    const buffer = new LogBuffer(3);
    expect(buffer.append([line(0, 0, 'a'), line(1, 0, 'b'), line(0, 1, 'c')])).toBe(3);
    expect(buffer.append([line(0, 1, 'c'), line(1, 1, 'd')])).toBe(1);
    expect(buffer.lines().map((l) => l.text)).toEqual(['b', 'c', 'd']);
    expect(buffer.dropped).toBe(1);
    expect(buffer.lines(1).map((l) => l.text)).toEqual(['b', 'd']);
    expect(buffer.instances()).toEqual([0, 1]);
  });

  it('searches case-insensitively, within an instance if asked', () => {
    const buffer = new LogBuffer();
    buffer.append([line(0, 0, 'Epoch 1 loss 0.5'), line(1, 0, 'epoch 1'), line(0, 1, 'done')]);
    expect(buffer.search('EPOCH')).toEqual([0, 1]);
    expect(buffer.search('epoch', 0)).toEqual([0]);
    expect(buffer.search('')).toEqual([]);
  });

  it('finds the first error line: tracebacks, exceptions, error markers, not progress on stderr', () => {
    const buffer = new LogBuffer();
    buffer.append([
      line(0, 0, '100%|██████| 10/10 [00:01<00:00]', 'stderr'),
      line(0, 1, 'no errors so far'),
      line(1, 0, 'Traceback (most recent call last):', 'stderr'),
      line(1, 1, 'ValueError: bad shape', 'stderr'),
    ]);
    expect(buffer.firstError()).toBe(2);
    expect(buffer.firstError(0)).toBe(-1);
    expect(buffer.firstError(1)).toBe(0);
    expect(isErrorLine(line(0, 0, 'RuntimeError: CUDA out of memory'))).toBe(true);
    expect(isErrorLine(line(0, 0, 'error: file not found'))).toBe(true);
    expect(isErrorLine(line(0, 0, "python3: can't open file 'x.py': [Errno 2] No such file or directory"))).toBe(true);
    expect(isErrorLine(line(0, 0, 'exited: code 2', 'platform'))).toBe(true);
    expect(isErrorLine(line(0, 0, 'Killed'))).toBe(true);
    expect(isErrorLine(line(0, 0, 'exited: killed by signal SIGTERM', 'platform'))).toBe(false);
    expect(isErrorLine(line(0, 0, 'exited: code 0', 'platform'))).toBe(false);
  });
});
