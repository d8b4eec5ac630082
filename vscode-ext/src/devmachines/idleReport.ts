import type { DevMachineIdle, IdleSignal, IdleSignalName } from '@aiplat/api';
import * as vscode from 'vscode';
import { clockTime, keepsMachineUp } from '@aiplat/api';

/*
 * "Why not idle" for people, apart from any I/O: the server's last look at a running machine under
 * its idle policy becomes a verdict (idle since when and until when it stops, or what keeps it up)
 * and one row for each signal.
 */

/** One signal as a quick pick row: its icon and name, its value, and whether it counts. */
export interface IdleSignalRow {
  label: string;
  description: string;
  signal: IdleSignal;
}

/** A signal's name for people. */
export function idleSignalName(name: IdleSignalName): string {
  switch (name) {
    case 'cpu':
      return vscode.l10n.t('CPU');
    case 'memory':
      return vscode.l10n.t('Memory');
    case 'accelerator':
      return vscode.l10n.t('Accelerator');
    case 'kernels':
      return vscode.l10n.t('Kernels');
    case 'terminals':
      return vscode.l10n.t('Terminals');
    case 'code-server':
      return 'code-server';
    case 'jobs':
      return vscode.l10n.t('Jobs');
  }
}

/** The codicon of a signal: active (keeps the machine up), idle, or ignored (does not count). */
export function idleSignalIcon(signal: Pick<IdleSignal, 'counts' | 'idle'>): string {
  if (!signal.counts) return 'circle-slash';
  return signal.idle ? 'debug-pause' : 'pulse';
}

/** The rows of the signals, in the server's order. */
export function idleSignalRows(report: DevMachineIdle): IdleSignalRow[] {
  return report.signals.map((signal) => ({
    label: `$(${idleSignalIcon(signal)}) ${idleSignalName(signal.name)}`,
    description: [
      signal.value,
      signal.counts ? (signal.idle ? vscode.l10n.t('idle') : vscode.l10n.t('active')) : vscode.l10n.t('ignored'),
    ].join(' · '),
    signal,
  }));
}

/**
 * The verdict: "No idle policy", "Not looked at yet", "Idle since 10:02, stops at 10:32" or
 * "Kept up by: terminals, jobs" (the signals that count and are not idle).
 */
export function idleVerdict(report: DevMachineIdle): string {
  if (!report.policy) return vscode.l10n.t('No idle policy');
  if (!report.sampledAt) return vscode.l10n.t('Not looked at yet');
  if (report.idle) {
    if (report.idleSince && report.stopsAt) {
      return vscode.l10n.t('Idle since {0}, stops at {1}', clockTime(report.idleSince), clockTime(report.stopsAt));
    }
    return report.stopsAt ? vscode.l10n.t('Idle, stops at {0}', clockTime(report.stopsAt)) : vscode.l10n.t('Idle');
  }
  const busy = report.signals.filter(keepsMachineUp).map((s) => idleSignalName(s.name));
  return busy.length > 0 ? vscode.l10n.t('Kept up by: {0}', busy.join(', ')) : vscode.l10n.t('Not idle');
}
