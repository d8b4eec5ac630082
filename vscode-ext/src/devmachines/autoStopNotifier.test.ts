import type { DevMachine } from '@aiplat/api';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandIds } from '../commands/commandIds.js';
import { EventEmitter, fake } from '../test/vscodeFake.js';
import { AutoStopNotifier } from './autoStopNotifier.js';
import { clockTime } from '@aiplat/api';
import { devMachineContextValue, devMachineDescription } from './devMachinePresentation.js';
import type { DevMachinesModel } from './devMachinesModel.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

beforeEach(() => fake.reset());

const MINUTE = 60 * 1000;
const STOPS_AT = Date.parse('2026-05-04T12:00:00.000Z');

function machine(overrides: Partial<DevMachine> = {}): DevMachine {
  return {
    id: 'dm-abc123',
    owner: 'alice',
    spec: {
      name: 'box',
      ides: ['jupyterlab'],
      resources: { cpu: 1, memory: '1Gi', accelerator: { type: 'none', count: 0 } },
      workingDir: 'home',
      priority: 5,
      queue: 'default',
      autoStop: { afterHours: 2 },
    } as DevMachine['spec'],
    state: 'Running',
    createdAt: '2026-05-04T09:00:00.000Z',
    startedAt: '2026-05-04T10:00:00.000Z',
    autoStopAt: new Date(STOPS_AT).toISOString(),
    urls: {},
    ...overrides,
  };
}

/** The model's part the notifier uses: its machines and their changes. */
function fakeModel(items: DevMachine[]) {
  const changed = new EventEmitter<void>();
  const state = { items, onDidChange: changed.event };
  return {
    model: state as unknown as DevMachinesModel,
    set: (next: DevMachine[]) => {
      state.items = next;
    },
    fire: () => changed.fire(),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the auto-stop notice', () => {
  it('warns once per autoStopAt, 10 minutes before, and snoozes when asked', async () => {
    let now = STOPS_AT - 11 * MINUTE;
    const { model, set, fire } = fakeModel([machine()]);
    const notifier = new AutoStopNotifier(model, { now: () => now, timer: false });
    fire();
    expect(fake.messages).toEqual([]);

    now = STOPS_AT - 9 * MINUTE;
    fake.messageAnswers.push('Snooze 1 h');
    expect(notifier.check()).toBe(1);
    expect(fake.messages).toEqual([
      { severity: 'warning', text: `box stops by itself at ${clockTime(STOPS_AT)}`, items: ['Snooze 1 h'] },
    ]);
    await flush();
    expect(fake.executed).toContainEqual({ command: CommandIds.snoozeDevMachineAutoStop, args: ['dm-abc123'] });

    fire();
    expect(notifier.check()).toBe(0);
    expect(fake.messages).toHaveLength(1);

    // Snoozed: a new autoStopAt, warned of again 10 minutes before it.
    set([machine({ autoStopAt: new Date(STOPS_AT + 60 * MINUTE).toISOString(), snoozes: 1 })]);
    fire();
    expect(fake.messages).toHaveLength(1);
    now = STOPS_AT + 52 * MINUTE;
    fire();
    expect(fake.messages).toHaveLength(2);
    notifier.dispose();
  });

  it('does nothing when the warning is dismissed', async () => {
    const { model } = fakeModel([machine()]);
    const notifier = new AutoStopNotifier(model, { now: () => STOPS_AT - MINUTE, timer: false });
    expect(notifier.check()).toBe(1);
    await flush();
    expect(fake.executed.filter((e) => e.command === CommandIds.snoozeDevMachineAutoStop)).toEqual([]);
    notifier.dispose();
  });
});

describe('a dev machine item with auto-stop', () => {
  it('says when a running one stops, and offers the snooze', () => {
    const running = machine();
    expect(devMachineDescription(running)).toBe(`Running · stops at ${clockTime(STOPS_AT)}`);
    expect(devMachineContextValue(running)).toBe('aiplat.devMachine.running.autoStop');
    const plain = machine({ autoStopAt: undefined });
    expect(devMachineDescription(plain)).toBe('Running');
    expect(devMachineContextValue(plain)).toBe('aiplat.devMachine.running');
    expect(devMachineDescription(machine({ state: 'Stopping' }))).toBe('Stopping');
  });
});
