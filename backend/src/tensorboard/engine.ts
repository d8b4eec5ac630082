import type { IdeEndpoint } from '../devmachines/engine.js';

/** Where the platform's proxy reaches a running TensorBoard (same shape as a dev machine's IDE). */
export type TensorBoardEndpoint = IdeEndpoint;

/** One TensorBoard to run: for one user, over one log directory, served under `prefix`. */
export interface TensorBoardLaunch {
  /** `tb-…`, also the name of its objects on Kubernetes. */
  id: string;
  user: string;
  /** The log directory as the API names it for its owner (`home/summaries/<job id>`, `cache/runs`). */
  path: string;
  /** The same folder on the backend's filesystem (the local engine's `--logdir`). */
  hostPath: string;
  /** The public path prefix it is served under, `/tensorboard/<id>/` (TensorBoard's `--path_prefix`). */
  prefix: string;
}

/** What an engine reports about a TensorBoard; the service turns it into state and news. */
export interface TensorBoardObservation {
  state: 'Running' | 'Failed' | 'Stopped';
  /** Why it failed or stopped on its own, in the engine's words (an exit code, the cluster's reason). */
  reason?: string;
}

/**
 * Runs TensorBoards: the local engine as a `tensorboard` process on a Unix socket, the Kubernetes
 * engine as a Kubeflow `Tensorboard` resource or a Deployment + Service. The engine-neutral service
 * owns state, the idle timer and the proxy route.
 */
export interface TensorBoardEngine {
  /** Why this engine cannot run TensorBoard here (how to install it), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  /** Begins starting; `Running` is observed once it answers, `Failed` with a reason otherwise. */
  start(launch: TensorBoardLaunch, observe: (observation: TensorBoardObservation) => void): Promise<void>;
  /** Stops it and removes what it made; resolves once it is gone. */
  stop(id: string): Promise<void>;
  /** Where a running TensorBoard answers, or undefined. */
  endpoint(id: string): TensorBoardEndpoint | undefined;
  /** Stops everything (the backend is shutting down). */
  close(): Promise<void>;
}
