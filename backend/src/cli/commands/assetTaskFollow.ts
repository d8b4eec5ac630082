import { ApiError, type AssetTask } from '@aiplat/api';
import type { AssetMessages } from '../assetMessages.js';
import type { CliContext, Connection } from '../context.js';
import { taskProgress } from './assetLookup.js';

/*
 * Following one import, acceleration or export until it ends: over the WebSocket's `asset-tasks`
 * topic (the user's tasks; this one picked by id), polling getAssetTask when the socket cannot be
 * opened or drops. Progress goes to stderr; the outcome and a dataset's record check to stdout.
 */

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const isFinished = (task: AssetTask): boolean => task.state !== 'running';

/** Calls `onUpdate` with each newer reading of the task and resolves with the finished task. */
export async function watchTask(
  conn: Connection,
  ctx: CliContext,
  first: AssetTask,
  onUpdate: (task: AssetTask) => void,
): Promise<AssetTask> {
  const { id } = first;
  onUpdate(first);
  if (isFinished(first)) return first;
  const taskId = { params: { taskId: id } };

  const viaSocket = await new Promise<AssetTask | ApiError | undefined>((resolve) => {
    let settled = false;
    let unsubscribe: (() => void) | undefined;
    let socket: ReturnType<Connection['openEvents']> | undefined;
    const finish = (result: AssetTask | ApiError | undefined) => {
      if (settled) return;
      settled = true;
      unsubscribe?.();
      socket?.close();
      resolve(result);
    };
    const seen = (task: AssetTask) => {
      if (settled) return;
      onUpdate(task);
      if (isFinished(task)) finish(task);
    };
    try {
      socket = conn.openEvents({
        onMessage: (message) => {
          if (message.type === 'error') finish(undefined);
          if (message.type !== 'subscribed' || message.topic !== 'asset-tasks') return;
          // Subscribed: nothing is missed from here on; read where the task stands now.
          conn.client
            .getAssetTask(taskId)
            .then(seen, (error: unknown) => finish(error instanceof ApiError ? error : undefined));
        },
        onClose: () => finish(undefined),
      });
      unsubscribe = socket.subscribe('asset-tasks', (event) => {
        if (event.kind === 'asset-tasks' && event.data.id === id) seen(event.data);
      });
    } catch {
      finish(undefined);
    }
  });
  if (viaSocket instanceof ApiError) throw viaSocket;
  if (viaSocket) return viaSocket;

  // No socket (or it dropped): poll, at least twice a second.
  const interval = Math.min(ctx.pollIntervalMs, 500);
  for (;;) {
    const task = await conn.client.getAssetTask(taskId);
    onUpdate(task);
    if (isFinished(task)) return task;
    await sleep(interval);
  }
}

/** A dataset import's record check: the summary, then each bad record as file:line. */
export function recordCheckText(m: AssetMessages, task: AssetTask): string {
  const check = task.records;
  if (!check || check.annotationType === 'none' || check.filesChecked === 0) return '';
  const lines = [m.task.records(check.annotationType, check.filesChecked, check.recordsChecked, check.badRecords)];
  for (const problem of check.problems) lines.push(m.task.problem(problem.file, problem.line, problem.message));
  if (check.badRecords > check.problems.length)
    lines.push(m.task.moreProblems(check.badRecords - check.problems.length));
  return `${lines.join('\n')}\n`;
}

/**
 * Prints a task's progress until it ends (a line per phase, and at most one a second as bytes
 * move), then its outcome; returns the exit code: 0 succeeded, 1 failed or cancelled.
 */
export async function followTask(
  conn: Connection,
  ctx: CliContext,
  m: AssetMessages,
  started: AssetTask,
): Promise<number> {
  let lastPhase = '';
  let lastLine = '';
  let lastAt = 0;
  const finished = await watchTask(conn, ctx, started, (task) => {
    if (isFinished(task)) return;
    const line = m.task.progress(task.id, task.action, task.phase, taskProgress(m, task));
    const now = ctx.now().getTime();
    if (line === lastLine || (task.phase === lastPhase && now - lastAt < 1000)) return;
    ctx.info(line);
    lastPhase = task.phase;
    lastLine = line;
    lastAt = now;
  });
  return reportOutcome(ctx, m, finished);
}

/** The finished task's record check and success on stdout, a failure on stderr; its exit code. */
export function reportOutcome(ctx: CliContext, m: AssetMessages, task: AssetTask): number {
  ctx.out(recordCheckText(m, task));
  switch (task.state) {
    case 'succeeded':
      ctx.out(`${m.task.succeeded(task.id, task.message ?? '')}\n`);
      return 0;
    case 'failed':
      ctx.info(m.task.failed(task.id, task.message ?? ''));
      return 1;
    case 'cancelled':
      ctx.info(m.task.cancelled(task.id));
      return 1;
    case 'running':
      return 0;
  }
}
