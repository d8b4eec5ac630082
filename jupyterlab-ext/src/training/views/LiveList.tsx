import type { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import type { LiveListModel } from '../../model/liveListModel.js';

export interface LiveListProps<T> {
  model: LiveListModel<T>;
  trans: TranslationBundle;
  /** `aiplat-<kind>`: the list's test id is `<testId>-list`, its buttons `aiplat-new-<kind>`... */
  kind: string;
  className: string;
  /** The toolbar's first button: a new item. */
  newLabel: string;
  onNew: () => void;
  /** What an empty list says, connected or not. */
  empty: string;
  emptyDisconnected: string;
  /** One item's row. */
  row: (item: T) => React.ReactNode;
}

/** A sidebar list kept live: its toolbar (new, refresh), its error, an empty note, and its rows. */
export function LiveList<T>(props: LiveListProps<T>) {
  const { model, trans, kind } = props;
  return (
    <div className={`aiplat-jobList ${props.className}`} data-testid={`aiplat-${kind}-list`}>
      <div className="aiplat-jobList-toolbar">
        <button className="jp-mod-styled jp-mod-accept" data-testid={`aiplat-new-${kind}`} onClick={props.onNew}>
          {props.newLabel}
        </button>
        <button
          className="jp-mod-styled"
          data-testid={`aiplat-refresh-${kind}s`}
          title={trans.__('Load the list again')}
          onClick={() => void model.refresh()}
        >
          {trans.__('Refresh')}
        </button>
      </div>
      {model.error && <div className="aiplat-error">{model.error}</div>}
      {model.items.length === 0 && !model.loading && (
        <div className="aiplat-jobList-empty" data-testid={`aiplat-${kind}-list-empty`}>
          {model.connected ? props.empty : props.emptyDisconnected}
        </div>
      )}
      <ul className="aiplat-jobList-items">{model.items.map(props.row)}</ul>
    </div>
  );
}

/** Under a row: why the item waits or failed, and what its last action failed with. */
export function RowNotes({
  why,
  error,
  whyTestId,
}: {
  why: string | undefined;
  error: string | undefined;
  whyTestId?: string;
}) {
  return (
    <>
      {why && (
        <div className="aiplat-devMachine-why" data-testid={whyTestId} title={why}>
          {why}
        </div>
      )}
      {error && (
        <div className="aiplat-error" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
