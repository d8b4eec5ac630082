import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import type { IDisposable } from '@lumino/disposable';
import type { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * A widget that renders `Body` with its props again each time the model says it changed, and disposes
 * the model with itself (the widget owns the model it was given).
 */
export abstract class ModelWidget<P extends { model: IDisposable }> extends ReactWidget {
  protected constructor(
    protected readonly props: P,
    private readonly changed: ISignal<unknown, unknown>,
    private readonly Body: React.ComponentType<P>,
    className: string,
  ) {
    super();
    this.addClass(className);
  }

  protected render(): JSX.Element {
    const Body = this.Body;
    return <UseSignal signal={this.changed}>{() => <Body {...this.props} />}</UseSignal>;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.props.model.dispose();
    super.dispose();
  }
}
