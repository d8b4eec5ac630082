import { describe, expect, it } from 'vitest';
import { StepFlow } from './stepFlow.js';

type Id = 'kind' | 'a' | 'b' | 'end';
const steps = [
  { id: 'kind' as const },
  { id: 'a' as const, applies: (x: { kind?: string }) => x.kind === 'a' },
  { id: 'b' as const, applies: (x: { kind?: string }) => x.kind !== 'a' },
  { id: 'end' as const },
];

describe('StepFlow', () => {
  it('walks the steps that apply, with the step number and total', () => {
    const flow = new StepFlow<Id>(steps);
    expect([flow.current, flow.stepNumber, flow.totalSteps, flow.canGoBack]).toEqual(['kind', 1, 3, false]);
    flow.answer('a');
    expect([flow.current, flow.stepNumber, flow.totalSteps, flow.canGoBack]).toEqual(['a', 2, 3, true]);
    flow.answer('1');
    flow.answer('done');
    expect(flow.done).toBe(true);
    expect(flow.values()).toEqual({ kind: 'a', a: '1', end: 'done' });
    expect(() => flow.answer('more')).toThrow('the flow is done');
  });

  it('goes back with the answers kept, and a changed choice changes the steps', () => {
    const flow = new StepFlow<Id>(steps);
    expect(flow.back()).toBe(false);
    flow.answer('a');
    flow.answer('1');
    expect(flow.back()).toBe(true);
    expect([flow.current, flow.value('a')]).toEqual(['a', '1']);
    expect(flow.back()).toBe(true);
    expect([flow.current, flow.value('kind'), flow.stepNumber]).toEqual(['kind', 'a', 1]);
    flow.answer('b');
    expect(flow.current).toBe('b');
    flow.answer('2');
    flow.answer('done');
    // The answer of a step that no longer applies is not part of the result.
    expect(flow.values()).toEqual({ kind: 'b', b: '2', end: 'done' });
  });
});
