import type { JobDetail } from '@aiplat/api';
import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { IConnectionModel } from '../../tokens.js';
import { jobSource } from '../model/compareSource.js';
import { ScalarsViewModel } from '../model/scalarsViewModel.js';
import { comparer } from '../index.js';
import { ScalarsPanel } from './ScalarsPanel.js';

/** A job view's TensorBoard tab: the job's summaries live, other jobs or folders added to compare. */
export function JobTensorBoard(props: { connection: IConnectionModel; trans: TranslationBundle; job: JobDetail }) {
  const { connection, trans, job } = props;
  const model = React.useMemo(() => new ScalarsViewModel(connection, [jobSource(job)]), [connection, job.id]);
  React.useEffect(() => () => model.dispose(), [model]);
  return <ScalarsPanel model={model} trans={trans} onCompare={comparer(model, connection)} />;
}
