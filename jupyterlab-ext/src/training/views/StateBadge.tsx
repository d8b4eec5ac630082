import * as React from 'react';

/** A state as a badge: `aiplat-jobState` and `<kind>-<state>` (its colours), the state in `data-state`. */
export function StateBadge({
  kind,
  state,
  label,
  testId,
}: {
  /** The state's class prefix: `aiplat-jobState`, `aiplat-serviceState`... */
  kind: string;
  state: string;
  label: string;
  testId: string;
}) {
  return (
    <span className={`aiplat-jobState ${kind}-${state}`} data-testid={testId} data-state={state}>
      {label}
    </span>
  );
}
