import type { ScalarSource } from '@aiplat/api';
import { MainAreaWidget, ReactWidget } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';
import * as React from 'react';
import type { IConnectionModel } from '../tokens.js';
import { compareSource } from './model/compareSource.js';
import { ScalarsViewModel } from './model/scalarsViewModel.js';
import { ScalarsPanel } from './views/ScalarsPanel.js';

export { folderSource, jobSource } from './model/compareSource.js';

export interface TensorBoardViewOptions {
  connection: IConnectionModel;
  trans: TranslationBundle;
  openInMain: (widget: Widget) => void;
}

/** The view's "Compare with": adds the job or folder typed, or says why it cannot. */
export function comparer(model: ScalarsViewModel, connection: IConnectionModel) {
  return async (text: string): Promise<string | undefined> => {
    const client = connection.client;
    if (!client) return 'not connected';
    const source = await compareSource(client, text).catch((error: unknown) => (error as Error).message);
    if (typeof source === 'string') return source;
    model.add(source);
    return undefined;
  };
}

/** A TensorBoard view of its own model, disposing it with itself. */
class ScalarsWidget extends ReactWidget {
  constructor(
    private readonly _model: ScalarsViewModel,
    private readonly _options: TensorBoardViewOptions,
  ) {
    super();
    this.addClass('aiplat-scalars-widget');
  }

  protected render(): React.ReactElement {
    return (
      <ScalarsPanel
        model={this._model}
        trans={this._options.trans}
        onCompare={comparer(this._model, this._options.connection)}
      />
    );
  }

  override dispose(): void {
    this._model.dispose();
    super.dispose();
  }
}

/** Opens a TensorBoard view in the main area for a job's summaries or a folder (more can be added to compare). */
export function openTensorBoardView(options: TensorBoardViewOptions, source: ScalarSource): Widget {
  const model = new ScalarsViewModel(options.connection, [source]);
  const widget = new MainAreaWidget({ content: new ScalarsWidget(model, options) });
  widget.id = `aiplat-tensorboard-${Date.now().toString(36)}`;
  widget.title.label = options.trans.__('TensorBoard: %1', source.label);
  widget.title.closable = true;
  options.openInMain(widget);
  return widget;
}
