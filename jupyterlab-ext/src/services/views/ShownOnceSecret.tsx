import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { formatTime } from '../../training/views/labels.js';
import { CopyButton } from './CopyButton.js';

/**
 * A secret the server shows once (a service's token or AppSecret, a share token): what it is, the
 * value with Copy, until when it works, the warning that it will not be shown again, and Done.
 * Test ids: `testId`, `testId-value`, `testId-copy`, `testId-dismiss`.
 */
export function ShownOnceSecret({
  title,
  secret,
  expiresAt,
  testId,
  kind,
  onDone,
  trans,
}: {
  title: string;
  secret: string;
  expiresAt?: string | undefined;
  testId: string;
  /** Set as data-kind, for styles and tests. */
  kind?: string;
  onDone: () => void;
  trans: TranslationBundle;
}) {
  return (
    <div className="aiplat-service-secret" data-testid={testId} data-kind={kind} role="alert">
      <div>{title}</div>
      <div className="aiplat-service-secretLine">
        <code data-testid={`${testId}-value`}>{secret}</code>
        <CopyButton text={secret} trans={trans} testId={`${testId}-copy`} />
      </div>
      {expiresAt && <div>{trans.__('Valid until %1.', formatTime(expiresAt))}</div>}
      <strong>{trans.__('Copy it now: you will not see it again.')}</strong>{' '}
      <button className="jp-mod-styled" data-testid={`${testId}-dismiss`} onClick={onDone}>
        {trans.__('Done')}
      </button>
    </div>
  );
}
