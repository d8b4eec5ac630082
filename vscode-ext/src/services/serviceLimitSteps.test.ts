import { ServiceLimitsSchema } from '@aiplat/api';
import { describe, expect, it, vi } from 'vitest';
import {
  formatSize,
  LIMIT_BOUNDS,
  LIMIT_STEPS,
  limitProblem,
  limitsInput,
  limitStepPrompt,
  parseSize,
  type LimitStepId,
} from './serviceLimitSteps.js';

vi.mock('vscode', () => import('../test/vscodeFake.js'));

const GOOD = { qpsPerReplica: '100', concurrencyPerReplica: '16', maxBodyBytes: '10MiB', upstreamTimeoutSeconds: '60' };

/** Whether the contract takes the limits with `id` answered `text` (the others good). */
const contractTakes = (id: LimitStepId, text: string) =>
  ServiceLimitsSchema.safeParse(limitsInput({ ...GOOD, [id]: text })).success;

describe('the Change Limits steps', () => {
  it('reads sizes with units and writes them in the largest unit', () => {
    expect(parseSize('10MiB')).toBe(10 * 1024 * 1024);
    expect(parseSize('512 kib')).toBe(512 * 1024);
    expect(parseSize('1.5M')).toBe(1.5 * 1024 * 1024);
    expect(parseSize('100')).toBe(100);
    expect(parseSize('ten')).toBeUndefined();
    expect(parseSize('5 parsecs')).toBeUndefined();
    expect(formatSize(10 * 1024 * 1024)).toBe('10MiB');
    expect(formatSize(1000)).toBe('1000');
  });

  it('shows TI-ONE’s defaults in the prompts', () => {
    const qps = limitStepPrompt('qpsPerReplica');
    expect(qps.kind === 'input' && qps.prompt).toContain('TI-ONE default 100');
    expect(qps.kind === 'input' && qps.validate?.('-3')).toBe(limitProblem('qpsPerReplica', '-3'));
  });

  it.each<[LimitStepId, string, string]>([
    ['qpsPerReplica', '-3', 'Requests per second: a number above 0 and at most 100000, e.g. 100 or 0.5'],
    ['qpsPerReplica', '0', 'Requests per second: a number above 0 and at most 100000, e.g. 100 or 0.5'],
    ['qpsPerReplica', 'fast', 'Requests per second: a number above 0 and at most 100000, e.g. 100 or 0.5'],
    ['concurrencyPerReplica', '1.5', 'Requests in flight: a whole number from 1 to 10000, e.g. 16'],
    ['maxBodyBytes', '10GB', 'Largest body: a size from 1 byte to 1GiB, e.g. 10MiB, 512KiB or 1048576'],
    ['maxBodyBytes', 'big', 'Largest body: a size from 1 byte to 1GiB, e.g. 10MiB, 512KiB or 1048576'],
    ['upstreamTimeoutSeconds', '3601', 'Timeout: a whole number of seconds from 1 to 3600, e.g. 60'],
  ])('says what %s takes, in its own words and units, for %j', (id, text, message) => {
    expect(limitProblem(id, text)).toBe(message);
  });

  it('names no internal field and counts no bytes in its messages', () => {
    for (const { id } of LIMIT_STEPS) {
      const message = limitProblem(id, '-1') ?? '';
      expect(message).not.toMatch(/qpsPerReplica|concurrencyPerReplica|maxBodyBytes|upstreamTimeoutSeconds/);
      expect(message).not.toContain(String(LIMIT_BOUNDS.maxBodyBytes.max));
      expect(message).not.toMatch(/Too small|expected/);
    }
  });

  it('takes exactly what the contract takes, at and around each bound', () => {
    const cases: Record<LimitStepId, string[]> = {
      qpsPerReplica: ['-3', '0', '0.001', '0.5', '100', '100000', '100000.5', ''],
      concurrencyPerReplica: ['0', '1', '1.5', '10000', '10001', 'x'],
      maxBodyBytes: ['0', '1', '1GiB', '1025MiB', '10GB', '1.5K'],
      upstreamTimeoutSeconds: ['0', '1', '3600', '3601', '2.5'],
    };
    for (const [id, texts] of Object.entries(cases) as [LimitStepId, string[]][]) {
      for (const text of texts) {
        expect(limitProblem(id, text) === undefined, `${id} = ${JSON.stringify(text)}`).toBe(contractTakes(id, text));
      }
    }
  });
});
