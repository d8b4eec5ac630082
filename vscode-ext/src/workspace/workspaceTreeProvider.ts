import { formatBytes, type CatalogItem, type RootInfo, type WorkspaceEntry } from '@aiplat/api';
import * as vscode from 'vscode';
import { CommandIds, type LoadMoreTarget } from '../commands/commandIds.js';
import { describeError } from '../connection/errorMessage.js';
import type { Subscription } from '../model/emitter.js';
import type { FolderWatch } from './folderWatch.js';
import type { WorkspaceModel } from './workspaceModel.js';

/** The nodes of the Workspace view. Paths are relative to /work, as the API takes them. */
export type WorkspaceNode =
  | { kind: 'root'; root: RootInfo }
  | { kind: 'entry'; entry: WorkspaceEntry }
  | { kind: 'more'; folder: string; loaded: number; total: number }
  | { kind: 'catalog'; catalogKind: CatalogItem['kind'] }
  | { kind: 'catalogItem'; item: CatalogItem }
  | { kind: 'message'; text: string };

/** `contextValue`s of the Workspace view's items, for `view/item/context` menus. */
export const WorkspaceContextValues = {
  root: 'aiplat.root',
  folder: 'aiplat.folder',
  file: 'aiplat.file',
  more: 'aiplat.more',
  catalog: 'aiplat.catalog',
  dataset: 'aiplat.dataset',
  model: 'aiplat.model',
} as const;

/**
 * The Workspace view: the /work roots (lazy, paged), then Datasets and Models from the catalog.
 * Each expanded folder follows the server's `files/<path>` topic: when a job writes into it, that
 * folder alone is listed again.
 */
export class WorkspaceTreeProvider implements vscode.TreeDataProvider<WorkspaceNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<WorkspaceNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly open = new Map<string, Subscription>();
  /** Requests for the top level still waiting for a connection to settle. */
  private rootsPending = 0;

  constructor(
    private readonly model: WorkspaceModel,
    private readonly folders?: FolderWatch,
  ) {}

  /** The folders followed for changes (the expanded ones). */
  get watchedFolders(): string[] {
    return [...this.open.keys()];
  }

  /** Wire to the tree view's `onDidExpandElement`. */
  expanded(node: WorkspaceNode): void {
    const path = folderPath(node);
    if (path === undefined || !this.folders || this.open.has(path)) return;
    this.open.set(
      path,
      this.folders.watch(path, () => {
        this.model.invalidate(path, { below: false });
        this.changed.fire(node);
      }),
    );
  }

  /** Wire to the tree view's `onDidCollapseElement`: the folder and those below stop following. */
  collapsed(node: WorkspaceNode): void {
    const path = folderPath(node);
    if (path === undefined) return;
    for (const [open, subscription] of [...this.open]) {
      if (open === path || open.startsWith(`${path}/`)) {
        subscription.dispose();
        this.open.delete(open);
      }
    }
  }

  /**
   * Re-reads everything (or one folder). While the view's request for the roots is still waiting
   * for the connection, that answer is the fresh one: asking VS Code to re-read the tree as well
   * would only cost the view a second round trip (at start-up, when the extension host is busiest).
   */
  refresh(folder?: WorkspaceNode): void {
    const path = folder ? nodePath(folder) : undefined;
    this.model.invalidate(path);
    if (!folder && this.rootsPending > 0) return;
    this.changed.fire(folder);
  }

  async loadMore(folder: string): Promise<void> {
    await this.model.loadMore(folder);
    this.changed.fire(undefined);
  }

  async getChildren(node?: WorkspaceNode): Promise<WorkspaceNode[]> {
    try {
      if (!node) {
        this.rootsPending++;
        const roots = await this.model.settledRoots().finally(() => this.rootsPending--);
        if (roots.length === 0) return [];
        return [
          ...roots.map((root): WorkspaceNode => ({ kind: 'root', root })),
          { kind: 'catalog', catalogKind: 'dataset' },
          { kind: 'catalog', catalogKind: 'model' },
        ];
      }
      switch (node.kind) {
        case 'root':
        case 'entry': {
          const folder = node.kind === 'root' ? node.root.name : node.entry.path;
          const listing = await this.model.folder(folder);
          const children: WorkspaceNode[] = listing.entries.map((entry) => ({ kind: 'entry', entry }));
          if (listing.nextCursor !== undefined) {
            children.push({ kind: 'more', folder, loaded: listing.entries.length, total: listing.total });
          }
          if (children.length === 0) children.push({ kind: 'message', text: vscode.l10n.t('(empty)') });
          return children;
        }
        case 'catalog': {
          const items = await this.model.catalogItems(node.catalogKind);
          if (items.length === 0) {
            return [
              {
                kind: 'message',
                text:
                  node.catalogKind === 'dataset'
                    ? vscode.l10n.t('No datasets found')
                    : vscode.l10n.t('No models found'),
              },
            ];
          }
          return items.map((item) => ({ kind: 'catalogItem', item }));
        }
        case 'catalogItem':
        case 'more':
        case 'message':
          return [];
      }
    } catch (error) {
      return [{ kind: 'message', text: describeError(error) }];
    }
  }

  getTreeItem(node: WorkspaceNode): vscode.TreeItem {
    const { Collapsed, None } = vscode.TreeItemCollapsibleState;
    switch (node.kind) {
      case 'root': {
        const item = new vscode.TreeItem(node.root.displayPath, Collapsed);
        item.id = `root:${node.root.name}`;
        item.iconPath = new vscode.ThemeIcon(node.root.writable ? 'root-folder' : 'lock');
        item.description = node.root.writable ? undefined : vscode.l10n.t('read-only');
        item.contextValue = WorkspaceContextValues.root;
        return item;
      }
      case 'entry': {
        const { entry } = node;
        const isFolder = entry.type === 'directory';
        const item = new vscode.TreeItem(entry.name, isFolder ? Collapsed : None);
        item.id = `entry:${entry.path}`;
        item.tooltip = `/work/${entry.path}`;
        item.iconPath = isFolder ? vscode.ThemeIcon.Folder : vscode.ThemeIcon.File;
        item.resourceUri = vscode.Uri.from({ scheme: 'aiplat-work', path: `/${entry.path}` });
        item.contextValue = isFolder ? WorkspaceContextValues.folder : WorkspaceContextValues.file;
        if (!isFolder) {
          item.description = formatBytes(entry.size);
          item.command = {
            command: CommandIds.openPreview,
            title: vscode.l10n.t('Open Preview'),
            arguments: [entry.path],
          };
        }
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more… ({0} of {1})', node.loaded, node.total), None);
        item.id = `more:${node.folder}:${node.loaded}`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = WorkspaceContextValues.more;
        item.command = {
          command: CommandIds.loadMore,
          title: vscode.l10n.t('Load more'),
          arguments: [{ view: 'workspace', folder: node.folder } satisfies LoadMoreTarget],
        };
        return item;
      }
      case 'catalog': {
        const label = node.catalogKind === 'dataset' ? vscode.l10n.t('Datasets') : vscode.l10n.t('Models');
        const item = new vscode.TreeItem(label, Collapsed);
        item.id = `catalog:${node.catalogKind}`;
        item.iconPath = new vscode.ThemeIcon(node.catalogKind === 'dataset' ? 'database' : 'hubot');
        item.contextValue = WorkspaceContextValues.catalog;
        return item;
      }
      case 'catalogItem': {
        const { item: entry } = node;
        const item = new vscode.TreeItem(entry.name, None);
        item.id = `catalogItem:${entry.kind}:${entry.path}`;
        item.description = [entry.format, formatBytes(entry.sizeBytes), entry.architecture].filter(Boolean).join(' · ');
        item.tooltip = `/work/${entry.path}`;
        item.iconPath = new vscode.ThemeIcon(entry.kind === 'dataset' ? 'table' : 'circuit-board');
        item.contextValue = entry.kind === 'dataset' ? WorkspaceContextValues.dataset : WorkspaceContextValues.model;
        item.command = {
          command: CommandIds.openPreview,
          title: vscode.l10n.t('Open Preview'),
          arguments: [entry.path],
        };
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text, None);
    }
  }

  dispose(): void {
    for (const subscription of this.open.values()) subscription.dispose();
    this.open.clear();
    this.changed.dispose();
  }
}

/** The folder a node stands for (a root or a folder entry), relative to /work. */
export function folderPath(node: WorkspaceNode): string | undefined {
  if (node.kind === 'root') return node.root.name;
  if (node.kind === 'entry' && node.entry.type === 'directory') return node.entry.path;
  return undefined;
}

function nodePath(node: WorkspaceNode): string | undefined {
  switch (node.kind) {
    case 'root':
      return node.root.name;
    case 'entry':
      return node.entry.path;
    case 'more':
      return node.folder;
    case 'catalog':
    case 'catalogItem':
    case 'message':
      return undefined;
  }
}
