import type { ApiClient, ScalarSource, TensorBoard } from '@aiplat/api';
import * as vscode from 'vscode';
import { describeError } from '../../connection/errorMessage.js';
import type { EventSource } from '../../connection/liveEvents.js';
import { signedInUrl } from '../../connection/loginLink.js';
import type { TensorBoardStatus } from './protocol.js';

export interface TensorBoardOpenerDeps {
  client: () => ApiClient | undefined;
  events: EventSource;
  serverUrl: () => string;
  /** `vscode.env.openExternal` of the URL; a test records it. */
  openExternal: (url: string) => Thenable<unknown>;
}

/**
 * The real TensorBoard of a log directory, in the user's browser: started on the server (or the one
 * already running there reused), awaited until it answers, then opened through a one-time login
 * link, as the Dev Machines view opens an IDE. Where the server cannot run TensorBoard, its
 * explanation (and how to install it) comes back instead.
 */
export async function openTensorBoard(deps: TensorBoardOpenerDeps, source: ScalarSource): Promise<TensorBoardStatus> {
  const client = deps.client();
  if (!client) return { status: 'failed', message: vscode.l10n.t('Not connected to the AI Platform.') };
  try {
    const { unavailable } = await client.listTensorBoards();
    if (unavailable) return { status: 'unavailable', message: unavailable };
    const started = await client.startTensorBoard({
      body: source.jobId ? { jobId: source.jobId } : { path: source.path },
    });
    const board = await settled(client, deps.events, started);
    if (board.state !== 'Running') {
      return {
        status: 'failed',
        message: vscode.l10n.t('TensorBoard did not start: {0}', board.reason ?? board.state),
      };
    }
    await deps.openExternal(await signedInUrl(client, deps.serverUrl(), board.url));
    return { status: 'opened' };
  } catch (error) {
    return { status: 'failed', message: describeError(error) };
  }
}

/**
 * The TensorBoard once it is no longer Starting, from the `tensorboards` topic; read again each
 * time the subscription is confirmed, so a change just before it is not missed. The server gives up
 * on a TensorBoard that does not answer in time (Failed), so this ends.
 */
function settled(client: ApiClient, events: EventSource, board: TensorBoard): Promise<TensorBoard> {
  if (board.state !== 'Starting') return Promise.resolve(board);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (found: TensorBoard) => {
      if (done || found.id !== board.id || found.state === 'Starting') return;
      done = true;
      subscription.dispose();
      resolve(found);
    };
    const subscription = events.subscribe(
      'tensorboards',
      (event) => {
        if (event.kind === 'tensorboards') finish(event.data.tensorboard);
      },
      {
        onSubscribed: () => {
          client.listTensorBoards().then(
            ({ items }) => items.forEach(finish),
            (error: unknown) => {
              if (done) return;
              done = true;
              subscription.dispose();
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        },
      },
    );
  });
}
