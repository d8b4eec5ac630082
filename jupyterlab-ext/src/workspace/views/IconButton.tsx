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
  onClick: () => void;
}): ReactElement {
  const { label, icon, testId, onClick } = props;
  return (
    <button
      className="jp-Button jp-mod-minimal aiplat-icon-button"
      title={label}
      aria-label={label}
      data-testid={testId}
      onClick={onClick}
    >
      <icon.react tag="span" stylesheet="toolbarButton" />
    </button>
  );
}
