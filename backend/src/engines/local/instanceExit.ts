import type { FailureReason } from '@aiplat/api';
import type { ExitStatus } from './supervisor/index.js';

export function describeExit(exit: ExitStatus): string {
  if (exit.lost) return `was lost (${exit.lost})`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}

export function isSuccess(exit: ExitStatus): boolean {
  return exit.code === 0 && !exit.lost;
}

/** The failure an unsuccessful exit of instance `index` makes of its job. */
export function exitFailure(index: number, exit: ExitStatus): FailureReason {
  return {
    kind: exit.lost ? 'lost' : 'exit-code',
    instance: index,
    ...(exit.code !== null ? { exitCode: exit.code } : {}),
    ...(exit.signal ? { signal: exit.signal } : {}),
    message: `instance ${index} ${describeExit(exit)}`,
  };
}
