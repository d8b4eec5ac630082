import { DEFAULT_BOARD_OPTIONS, runKey, type SourceState } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import { dispatch } from '../messages.js';
import type { HostMessage } from './protocol.js';
import { format, ScalarsPage } from './scalarsPage.js';
import { scalarsStrings } from './scalarsStrings.js';

vi.mock('vscode', () => import('../../test/vscodeFake.js'));

const points = (values: number[]) => values.map((value, i) => ({ step: i, wallTime: 1000 + i, value }));
const state = (path: string, label: string, patch: Partial<SourceState> = {}): SourceState => ({
  source: { path, label },
  series: [],
  warnings: [],
  loading: false,
  ...patch,
});

function page(...messages: HostMessage[]): ScalarsPage {
  const model = new ScalarsPage();
  for (const message of messages) void dispatch(model.handlers, message);
  return model;
}

const init: HostMessage = { type: 'init', strings: scalarsStrings(), options: DEFAULT_BOARD_OPTIONS };

describe('the TensorBoard page model', () => {
  it('says what each source is doing: reading, empty, failed; the first cannot be removed', () => {
    const view = page(init, {
      type: 'sources',
      sources: [
        state('home/summaries/j-1', 'mnist', { loading: true }),
        state('home/runs', 'runs'),
        state('home/gone', 'gone', { error: 'Not found: home/gone' }),
      ],
    }).view(String);
    expect(view.sources.map((s) => [s.label, s.removable, s.failed, s.notice])).toEqual([
      ['mnist', false, false, 'Reading mnist…'],
      [
        'runs',
        true,
        false,
        'No scalars in runs yet (/work/home/runs): they appear as the job writes TensorBoard event files there.',
      ],
      ['gone', true, true, 'gone could not be read: Not found: home/gone'],
    ]);
    expect(view.charts).toEqual([]);
    expect(view.noTags).toBe(false);
  });

  it('colours runs alike in every chart, hides a run, says when the filter matches no tag, lists warnings', () => {
    const model = page(init, {
      type: 'sources',
      sources: [
        state('home/runs', 'runs', {
          series: [
            { run: 'a', tag: 'loss', points: points([3, 2]) },
            { run: 'b', tag: 'loss', points: points([4, 1]) },
            { run: 'b', tag: 'acc', points: points([0.5, 0.7]) },
          ],
          warnings: [{ run: 'b', file: 'events.out.tfevents.1', offset: 42, message: 'bad data checksum' }],
        }),
      ],
    });
    let view = model.view(String);
    expect(view.runs.map((r) => [r.label, r.visible])).toEqual([
      ['runs/a', true],
      ['runs/b', true],
    ]);
    const colourOfB = view.runs[1]!.colour;
    expect(view.charts.map((c) => [c.tag, c.lines.map((l) => [l.label, l.colour === colourOfB])])).toEqual([
      ['acc', [['runs/b', true]]],
      [
        'loss',
        [
          ['runs/a', false],
          ['runs/b', true],
        ],
      ],
    ]);
    expect(view.warnings).toEqual(['runs/b: events.out.tfevents.1 @ 42: bad data checksum']);

    model.toggleRun(runKey('home/runs', 'b'));
    view = model.view(String);
    expect(view.charts.map((c) => c.tag)).toEqual(['loss']);
    expect(view.runs[1]!.visible).toBe(false);
    model.setOptions({ tagFilter: 'nothing-like-it' });
    expect(model.view(String).noTags).toBe(true);
    expect(model.savedState()).toEqual({
      sources: [{ path: 'home/runs', label: 'runs' }],
      options: { ...DEFAULT_BOARD_OPTIONS, tagFilter: 'nothing-like-it', hidden: [runKey('home/runs', 'b')] },
    });
  });

  it("shows TensorBoard's status: starting, opened, or the server's words", () => {
    const model = page(init, { type: 'tensorboard', tensorboard: { status: 'starting' } });
    expect(model.view(String).tensorboard).toEqual({ text: 'Starting TensorBoard…', failed: false });
    void dispatch(model.handlers, {
      type: 'tensorboard',
      tensorboard: { status: 'unavailable', message: 'pip install tensorboard' },
    });
    expect(model.view(String).tensorboard).toEqual({ text: 'pip install tensorboard', failed: true });
    expect(format('{0} and {1}, {2}', 'a', 'b')).toBe('a and b, {2}');
  });
});
