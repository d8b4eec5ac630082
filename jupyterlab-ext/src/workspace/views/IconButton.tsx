import type { LabIcon } from '@jupyterlab/ui-components';
import type { ReactElement } from 'react';

/**
 * A toolbar button showing only `icon`; `label` is its tooltip and its accessible name. The icon
 * takes JupyterLab's toolbar-button size (16px) whatever its SVG file declares (launch's is 32px).
 */
export function IconButton(props: {
  label: string;
  icon: LabIcon;
  testId?: string;
  /** Why the button cannot be used now: it is disabled and says so as its tooltip. */
  disabledReason?: string | undefined;
  onClick: () => void;
}): ReactElement {
  const { label, icon, testId, disabledReason, onClick } = props;
  return (
    <button
      className="jp-Button jp-mod-minimal aiplat-icon-button"
      title={disabledReason ?? label}
      aria-label={label}
      aria-disabled={disabledReason !== undefined}
      disabled={disabledReason !== undefined}
      data-testid={testId}
      onClick={onClick}
    >
      <icon.react tag="span" stylesheet="toolbarButton" />
    </button>
  );
}
