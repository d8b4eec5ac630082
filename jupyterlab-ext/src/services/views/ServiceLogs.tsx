import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { LogBuffer } from '../../training/model/logBuffer.js';
import { LogView } from '../../training/views/LogView.js';

/** The replicas' logs, live: one replica or all, search (next match), follow the end. */
export function ServiceLogs({
  logs,
  replicas,
  trans,
}: {
  logs: LogBuffer;
  /** The serving version's replica indexes. */
  replicas: readonly number[];
  trans: TranslationBundle;
}) {
  return (
    <LogView
      logs={logs}
      trans={trans}
      instances={replicas}
      instanceLabel={(i) => trans.__('Replica %1', i)}
      linePrefix={(i) => `#${i}`}
      selectLabel={trans.__('Replica')}
      allLabel={trans.__('All replicas')}
      testIds={{
        select: 'aiplat-service-log-replica',
        search: 'aiplat-service-log-search',
        count: 'aiplat-service-log-count',
        next: 'aiplat-service-log-next',
        follow: 'aiplat-service-log-follow',
        lines: 'aiplat-service-logs',
      }}
      className="aiplat-service-logs"
    />
  );
}
