import type { Job } from '@aiplat/api';
import * as vscode from 'vscode';
import { ModelTreeProvider } from '../views/modelTreeProvider.js';
import { CommandIds, type LoadMoreTarget } from '../commands/commandIds.js';
import { describeError } from '../connection/errorMessage.js';
import { jobContextValue, progressText, stateIcon, stateLabel } from './jobPresentation.js';
import type { JobsModel } from './jobsModel.js';

export type JobNode = { kind: 'job'; job: Job } | { kind: 'more' } | { kind: 'message'; text: string };

/** The Jobs view: newest first, live from the `jobs` topic through the model. */
export class JobsTreeProvider extends ModelTreeProvider<JobNode> {
  constructor(private readonly model: JobsModel) {
    super((listener) => model.onDidChangeJobs(listener));
  }

  getChildren(node?: JobNode): JobNode[] {
    if (node) return [];
    if (this.model.error !== undefined && this.model.jobs.length === 0) {
      return [{ kind: 'message', text: describeError(this.model.error) }];
    }
    if (!this.model.loaded) return [];
    const nodes: JobNode[] = this.model.jobs.map((job) => ({ kind: 'job', job }));
    if (nodes.length === 0) nodes.push({ kind: 'message', text: vscode.l10n.t('No jobs yet') });
    if (this.model.hasMore) nodes.push({ kind: 'more' });
    return nodes;
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    switch (node.kind) {
      case 'job': {
        const { job } = node;
        const item = new vscode.TreeItem(job.spec.name, vscode.TreeItemCollapsibleState.None);
        item.id = `job:${job.id}`;
        item.description = [stateLabel(job.state), progressText(job)].filter(Boolean).join(' · ');
        item.tooltip = [
          `${job.spec.name} (${job.id})`,
          `${stateLabel(job.state)} · ${job.spec.mode} · ${job.engine}`,
          job.reason?.message,
          job.waitReason?.message,
        ]
          .filter(Boolean)
          .join('\n');
        item.iconPath = new vscode.ThemeIcon(stateIcon(job.state));
        item.contextValue = jobContextValue(job);
        item.command = {
          command: CommandIds.showJobDetails,
          title: vscode.l10n.t('Show Job Details'),
          arguments: [job.id],
        };
        return item;
      }
      case 'more': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'));
        item.command = {
          command: CommandIds.loadMore,
          title: vscode.l10n.t('Load more'),
          arguments: [{ view: 'jobs' } satisfies LoadMoreTarget],
        };
        return item;
      }
      case 'message':
        return new vscode.TreeItem(node.text);
    }
  }
}
