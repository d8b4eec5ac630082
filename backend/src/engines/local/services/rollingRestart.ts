import type { Logger } from 'pino';
import type { ServiceLifecycle } from '../../../services/engine.js';
import type { Replica } from './replica.js';
import { replicaNews, type RunningVersion, type Slot } from './runningVersion.js';
import { instanceNames } from './versionFiles.js';

export interface RollingRestartDeps {
  lifecycle: ServiceLifecycle;
  /** A rolling restart's new process for the index: in log slot `instance`, carrying on the count of restarts. */
  surgeReplica(
    running: RunningVersion,
    index: number,
    slot: Slot,
    instance: string,
    restarts: number,
  ): Promise<Replica>;
  readyTimeoutMs: number;
  log: Logger;
}

/**
 * Each index in turn: a new process (the other log slot, a new port), then the old one ends once
 * it is ready. A new process that is not ready ends the restart; the old processes serve on.
 */
export async function rollingRestart(running: RunningVersion, deps: RollingRestartDeps): Promise<void> {
  const { service, version } = running.launch;
  const observed = deps.lifecycle.observed.bind(deps.lifecycle, service.name);
  for (const [index, slot] of running.slots.entries()) {
    const old = slot.replica;
    if (!old || running.stopped) continue;
    const instance = instanceNames(index).find((name) => name !== old.instance)!;
    // A deliberate restart is not a failure: the count of restarts after a liveness failure or an exit carries on.
    const fresh = await deps.surgeReplica(running, index, slot, instance, old.restarts);
    observed({
      event: {
        type: 'replica-restarted',
        message: `Replica ${index} restarts: a new process starts on port ${fresh.port}; the old one stops once it is ready.`,
        version,
        replica: index,
      },
    });
    let ready = false;
    try {
      await fresh.start();
      ready = await fresh.whenReady(deps.readyTimeoutMs);
    } catch (error) {
      deps.log.warn({ err: error, service: service.name, index }, 'a restarted replica did not start');
    }
    if (running.stopped || slot.replica !== old) {
      await fresh.stop(true, true);
      return;
    }
    if (!ready) {
      await fresh.stop(true, true);
      // The index is the old process's again, started when it was.
      observed(
        replicaNews(running, index, old.state, {
          message: 'the restarted process was not ready; the old one keeps serving',
          ...(old.startedAt ? { startedAt: old.startedAt } : {}),
        }),
      );
      observed({
        event: {
          type: 'replica-not-ready',
          message: `Replica ${index}'s new process was not ready; the restart stops here and the old processes keep serving.`,
          version,
          replica: index,
        },
      });
      return;
    }
    slot.replica = fresh;
    await old.stop(false, true);
  }
}
