import type { JobLifecycle } from '../../jobs/engine.js';
import type { JobRecord } from '../../jobs/jobStore.js';
import { newJobRun, stopRunningInstances, type LocalRuntime } from './jobRun.js';
import type { RunTracker } from './runTracker.js';
import type { ExitStatus, Supervisor } from './supervisor/index.js';

export interface RunAdopterOptions {
  lifecycle: JobLifecycle;
  supervisor: Supervisor;
  runs: RunTracker;
  /** SIGTERM first, SIGKILL this long after, for a job that was stopping or lost an instance. */
  stopGraceMs: number;
}

/**
 * After a backend restart, takes back a job that held resources: its instances still running are
 * watched again, exits missed while the backend was down are recorded, and a job that lost an
 * instance fails.
 */
export class RunAdopter {
  constructor(private readonly options: RunAdopterOptions) {}

  async adopt(job: JobRecord): Promise<void> {
    const { lifecycle, runs, stopGraceMs } = this.options;
    const runtime = job.runtime as LocalRuntime | undefined;
    const records = lifecycle.listInstances(job.id);
    const placement = runtime?.placement ?? { jobId: job.id, queue: job.spec.queue, instances: [] };
    const run = newJobRun(job, placement, records.length, false);
    runs.add(run);
    const lost: string[] = [];
    const exited: [number, ExitStatus][] = [];
    for (const record of records) {
      if (!record.stateFile || record.state === 'Pending') {
        lost.push(`instance ${record.index} was never started`);
        continue;
      }
      const adopted = await this.options.supervisor.adoptInstance(record.stateFile);
      if (adopted.kind === 'running') {
        run.handles[record.index] = adopted.handle;
      } else if (adopted.kind === 'exited') {
        exited.push([record.index, adopted.exit]);
      } else {
        lost.push(`instance ${record.index}: ${adopted.reason}`);
      }
    }
    if (!runtime || records.length === 0) lost.push('the backend stopped before the job was placed');
    lifecycle.event(
      job.id,
      'engine',
      `backend restarted: ${lost.length === 0 ? 're-adopted its instances' : lost.join('; ')}`,
    );
    if (job.state === 'Stopping') run.stopping = { cause: 'user', graceMs: stopGraceMs };
    if (lost.length > 0 && !run.stopping) {
      run.stopping = {
        cause: 'failure',
        graceMs: stopGraceMs,
        failure: { kind: 'lost', message: `lost while the backend was down: ${lost.join('; ')}` },
      };
    }
    // An instance that was never started counts as ended, so the run can settle.
    for (const record of records) {
      if (!run.handles[record.index] && !exited.some(([i]) => i === record.index)) {
        run.exits[record.index] = { code: null, signal: null, lost: 'not running after the backend restarted' };
      }
    }
    for (const [index, handle] of run.handles.entries()) {
      if (handle) runs.watch(run, index, handle);
    }
    if (job.state === 'Starting' && !run.stopping) {
      const running = lifecycle.transition(job.id, 'Running', {
        type: 'started',
        message: 'instances re-adopted',
      });
      if (running) run.job = running;
    }
    for (const [index, exit] of exited) runs.recordExit(run, index, exit);
    if (run.stopping) stopRunningInstances(run, run.stopping.graceMs);
    runs.settleIfDone(run);
  }
}
