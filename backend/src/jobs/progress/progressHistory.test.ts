import { describe, expect, it } from 'vitest';
import { ProgressHistory } from './progressHistory.js';

describe('ProgressHistory', () => {
  it('tells the progress as of a cursor: after the last reading whose line is before it', () => {
    const history = new ProgressHistory();
    history.record(0, 4, { step: 1 });
    history.record(0, 9, { step: 2 });
    history.record(0, 15, { step: 3 });
    expect(history.at({})).toBeUndefined();
    expect(history.at({ 0: 4 })).toBeUndefined();
    expect(history.at({ 0: 5 })).toEqual({ step: 1 });
    expect(history.at({ 0: 15 })).toEqual({ step: 2 });
    expect(history.at({ 0: 16, 1: 3 })).toEqual({ step: 3 });
  });

  it('looks at the instance each reading came from', () => {
    const history = new ProgressHistory();
    history.record(1, 2, { step: 1 });
    history.record(0, 7, { step: 2 });
    expect(history.at({ 0: 3, 1: 10 })).toEqual({ step: 1 });
    expect(history.at({ 0: 8, 1: 0 })).toEqual({ step: 2 });
  });

  it('forgets the oldest readings past its capacity', () => {
    const history = new ProgressHistory(2);
    for (let seq = 0; seq < 5; seq++) history.record(0, seq, { step: seq });
    expect(history.at({ 0: 5 })).toEqual({ step: 4 });
    expect(history.at({ 0: 1 })).toBeUndefined();
    history.clear();
    expect(history.at({ 0: 5 })).toBeUndefined();
  });
});
