import * as vscode from 'vscode';

/**
 * A tree view drawn from a model: redrawn whole whenever the model says it changed. The Jobs,
 * Dev machines and Services views are its kinds; each says what its nodes are and how they look.
 */
export abstract class ModelTreeProvider<N> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<N | undefined>();
  private readonly modelWatch: { dispose(): void };
  readonly onDidChangeTreeData = this.changed.event;

  constructor(onDidChange: (listener: () => void) => { dispose(): void }) {
    this.modelWatch = onDidChange(() => this.changed.fire(undefined));
  }

  abstract getChildren(node?: N): N[] | Promise<N[]>;
  abstract getTreeItem(node: N): vscode.TreeItem;

  dispose(): void {
    this.modelWatch.dispose();
    this.changed.dispose();
  }
}
