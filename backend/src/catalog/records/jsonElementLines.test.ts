import { describe, expect, it } from 'vitest';
import { jsonElementLines } from './jsonElementLines.js';

describe('jsonElementLines', () => {
  it('gives the line each root array element starts on, strings with brackets and escapes included', () => {
    const text = '[\n  {"a": "x]\\"[,"},\n  [1,\n   2], "s",\n\n  3\n]';
    expect(jsonElementLines(text, false)).toEqual([2, 3, 4, 6]);
    expect(jsonElementLines('[]', false)).toEqual([]);
    expect(jsonElementLines('[1, 2]', false)).toEqual([1, 1]);
  });

  it('finds the data array of a root object, the last one as JSON.parse keeps it', () => {
    const text = '{"meta": [9, 9],\n "data": [\n {"x": {"data": [0]}},\n {"y": 2}\n ]}';
    expect(jsonElementLines(text, true)).toEqual([3, 4]);
    const twice = '{"data": [1],\n"data": [\n2,\n3]}';
    expect(jsonElementLines(twice, true)).toEqual([3, 4]);
    expect(jsonElementLines('{"d\\u0061ta": [\n1]}', true)).toEqual([2]);
  });
});
