import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';

/*
 * One followed `pods/<name>/log` response piped into a sink. client-node's `Log` pipes the body
 * without passing errors on, so a connection that breaks mid-stream looks like a stream that never
 * ends; here the end of a complete body and a broken one are told apart.
 */

export interface PodLogRequest {
  namespace: string;
  pod: string;
  container: string;
  /** RFC 3339: only lines at or after this time. */
  sinceTime?: string;
}

export interface PodLogStream {
  /** Resolves once the whole body is in the sink; rejects when the connection broke first. */
  readonly ended: Promise<void>;
  /** Closes the connection; `ended` then rejects with a `PodLogStreamError` of kind 'aborted'. */
  abort(): void;
}

export type PodLogFailure = 'refused' | 'gone' | 'broken' | 'aborted' | 'sink';

export class PodLogStreamError extends Error {
  constructor(
    readonly kind: PodLogFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function logUrl(kc: KubeConfig, request: PodLogRequest): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new PodLogStreamError('refused', 'the kubeconfig has no current cluster');
  const url = new URL(
    `${cluster.server.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(request.namespace)}` +
      `/pods/${encodeURIComponent(request.pod)}/log`,
  );
  url.searchParams.set('container', request.container);
  url.searchParams.set('follow', 'true');
  url.searchParams.set('timestamps', 'true');
  if (request.sinceTime !== undefined) url.searchParams.set('sinceTime', request.sinceTime);
  return url;
}

async function refusal(response: IncomingMessage): Promise<PodLogStreamError> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  const status = response.statusCode ?? 0;
  let message = `the API server answered ${status}`;
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: unknown };
    if (typeof body.message === 'string' && body.message) message = body.message;
  } catch {
    // Not a Status object: the code says enough.
  }
  return new PodLogStreamError(status === 404 ? 'gone' : 'refused', message, status);
}

/** Opens the followed log of a pod's container; resolves once the API server answered 200. */
export async function openPodLogStream(kc: KubeConfig, request: PodLogRequest, sink: Writable): Promise<PodLogStream> {
  const url = logUrl(kc, request);
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  await kc.applyToHTTPSOptions(options);
  const send = url.protocol === 'https:' ? https.request : http.request;
  const req = send(url, options);
  let aborted = false;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', (error) => reject(new PodLogStreamError('broken', error.message)));
    req.end();
  });
  if (response.statusCode !== 200) throw await refusal(response);

  const ended = new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (kind: PodLogFailure, message: string) => {
      if (settled) return;
      settled = true;
      response.unpipe(sink);
      reject(new PodLogStreamError(aborted ? 'aborted' : kind, aborted ? 'the log stream was closed' : message));
    };
    response.on('error', (error) => fail('broken', error.message));
    response.on('close', () => {
      if (!response.complete) fail('broken', 'the connection broke off before the log ended');
    });
    response.on('end', () => {
      if (settled) return;
      sink.end(() => {
        if (settled) return;
        settled = true;
        resolve();
      });
    });
    sink.on('error', (error) => {
      fail('sink', error.message);
      req.destroy();
    });
    response.pipe(sink, { end: false });
  });
  return {
    ended,
    abort: () => {
      aborted = true;
      req.destroy();
    },
  };
}
