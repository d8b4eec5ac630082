import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DevMachineSpecSchema, type DevMachineSpecInput } from '@aiplat/api';
import { SqliteStore } from '../../store/sqliteStore.js';
import { NULL_PUBLISHER } from '../../server/eventPublisher.js';
import { DevMachineService } from '../devMachineService.js';
import type { DevMachineEngine } from '../engine.js';
import { AutoStopper } from './autoStopper.js';

/*
 * The auto-stop clock with an injected clock: the service, the store (SQLite in memory) and the
 * clock are the product's; the engine is a stand-in that runs at once and stops at once.
 */

const HOUR = 3_600_000;
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-06T08:00:00Z');
let store: SqliteStore | undefined;
afterEach(() => store?.close());

function setUp() {
  let now = T0;
  store = new SqliteStore(':memory:');
  const machines = new DevMachineService({
    store: store.devMachines,
    events: NULL_PUBLISHER,
    log: pino({ level: 'silent' }),
    now: () => new Date(now),
  });
  const engine: DevMachineEngine = {
    validate: () => undefined,
    start: async (machine) => machines.observed(machine.id, { state: 'Running' }),
    stop: async (machine) => machines.observed(machine.id, { state: 'Stopped' }),
    release: async () => undefined,
    endpoint: () => undefined,
  };
  machines.useEngine('local', engine);
  const stopper = new AutoStopper({ machines, log: pino({ level: 'silent' }), now: () => now });
  const events = (id: string) => machines.events(id, 'alice').events.map((e) => `${e.type}: ${e.message}`);
  return { machines, stopper, events, at: (ms: number) => (now = T0 + ms) };
}

const spec = (extra: Partial<DevMachineSpecInput> = {}) =>
  DevMachineSpecSchema.parse({ name: 'box', resources: { cpu: 1, memory: '1Gi' }, ...extra });

describe('auto-stop', () => {
  it('warns 10 minutes before, once; a snooze puts it off an hour and warns again; then it stops, saying why', async () => {
    const { machines, stopper, events, at } = setUp();
    const { id } = await machines.create('alice', spec({ autoStop: { afterHours: 2 } }), true);
    expect(machines.get(id, 'alice').autoStopAt).toBe('2026-12-06T10:00:00.000Z');

    at(HOUR + 49 * MINUTE);
    await stopper.tick();
    expect(events(id).filter((e) => e.startsWith('auto-stop'))).toEqual([]);
    at(HOUR + 50 * MINUTE);
    await stopper.tick();
    at(HOUR + 55 * MINUTE);
    await stopper.tick();
    expect(events(id).filter((e) => e.startsWith('auto-stop'))).toEqual([
      'auto-stop-warning: box stops by itself in 10 min (auto-stop after 2 h); snooze to keep it one more hour.',
    ]);

    const snoozed = machines.snooze(id, 'alice');
    expect(snoozed.autoStopAt).toBe('2026-12-06T11:00:00.000Z');
    expect(events(id).at(-1)).toBe(
      'auto-stop-snoozed: Auto-stop put off by 1 hour: it now stops at 2026-12-06T11:00:00.000Z.',
    );
    at(2 * HOUR + MINUTE);
    await stopper.tick();
    expect(machines.get(id, 'alice').state).toBe('Running');
    at(2 * HOUR + 52 * MINUTE);
    await stopper.tick();
    expect(events(id).at(-1)).toBe(
      'auto-stop-warning: box stops by itself in 8 min (auto-stop after 2 h); snooze to keep it one more hour.',
    );
    at(3 * HOUR);
    await stopper.tick();
    const stopped = machines.get(id, 'alice');
    expect(stopped.state).toBe('Stopped');
    expect(stopped.autoStopAt).toBeUndefined();
    expect(events(id)).toContain('stop-requested: Stopped by itself after 3 h of running (auto-stop).');

    // The next run starts its own clock: no snoozes, no warning given yet.
    at(4 * HOUR);
    await machines.start(id, 'alice');
    expect(machines.get(id, 'alice')).toMatchObject({ autoStopAt: '2026-12-06T14:00:00.000Z' });
    expect(machines.get(id, 'alice').snoozes).toBeUndefined();
  });

  it('leaves machines without auto-stop alone, and refuses a snooze that has nothing to put off', async () => {
    const { machines, stopper, at } = setUp();
    const plain = await machines.create('alice', spec({ name: 'plain' }), true);
    at(30 * HOUR);
    await stopper.tick();
    expect(machines.get(plain.id, 'alice').state).toBe('Running');
    expect(() => machines.snooze(plain.id, 'alice')).toThrow('plain has no auto-stop; there is nothing to put off');
    const idle = await machines.create('alice', spec({ name: 'idle', autoStop: { afterHours: 1 } }), false);
    expect(() => machines.snooze(idle.id, 'alice')).toThrow(
      "idle is Creating; only a running machine's auto-stop is put off",
    );
    expect(() => machines.snooze(plain.id, 'bob')).toThrow(/no dev machine/);
  });

  it('takes 1 to 24 hours', () => {
    for (const afterHours of [0, 25, 1.5]) {
      const parsed = DevMachineSpecSchema.safeParse({
        name: 'x',
        resources: { cpu: 1, memory: '1Gi' },
        autoStop: { afterHours },
      });
      expect(parsed.error?.issues[0]?.message).toBe(
        `autoStop.afterHours must be a whole number from 1 to 24 (hours of running before it stops) (got ${afterHours})`,
      );
    }
  });
});
