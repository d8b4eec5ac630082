import type { JobDetail } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import { UseSignal } from '@jupyterlab/ui-components';
import * as React from 'react';
import type { JobViewModel } from '../model/jobViewModel.js';
import { LogView } from './LogView.js';

function instanceName(job: JobDetail | undefined, index: number): string {
  return job?.instances.find((i) => i.index === index)?.name ?? `#${index}`;
}

/** Per-instance live logs: follow, search (next match), jump to the first error. */
export function JobLogs({ model, trans }: { model: JobViewModel; trans: TranslationBundle }) {
  return (
    <UseSignal signal={model.logsChanged}>
      {() => (
        <LogView
          logs={model.logs}
          trans={trans}
          instances={model.job?.instances.map((i) => i.index) ?? []}
          instanceLabel={(i) => instanceName(model.job, i)}
          linePrefix={(i) => instanceName(model.job, i)}
          selectLabel={trans.__('Instance')}
          allLabel={trans.__('All instances')}
          testIds={{
            select: 'aiplat-log-instance',
            search: 'aiplat-log-search',
            count: 'aiplat-log-search-count',
            next: 'aiplat-log-search-next',
            follow: 'aiplat-log-follow',
            lines: 'aiplat-job-logs',
          }}
          firstErrorTestId="aiplat-log-first-error"
          {...(model.logsEnded ? { endedTestId: 'aiplat-log-end' } : {})}
        />
      )}
    </UseSignal>
  );
}
