import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobFiles } from '../../jobs/engine.js';
import type { InstanceRecord, JobRecord } from '../../jobs/jobStore.js';
import { plannedInstances } from '../../jobs/plannedInstances.js';
import { buildEnvironment } from './environment/environment.js';
import { requiredPorts } from './environment/ports.js';
import type { DeviceAssignment, InstancePlacement, PortName } from './environment/types.js';
import { jobRequest } from './jobRequest.js';
import type { Placement, SchedulerNode } from './scheduler/index.js';
import { createPortAllocator, instancePaths } from './supervisor/index.js';

export interface InstancePreparerOptions {
  nodes: readonly SchedulerNode[];
  files: JobFiles;
  /** The address instances reach each other at. */
  host: string;
}

/**
 * Everything a placed job's instances need before they start: free ports, each instance's
 * environment, the generated files (hyperparameters, hostfiles...) and the job's folders.
 */
export class InstancePreparer {
  private readonly ports = createPortAllocator();

  constructor(private readonly options: InstancePreparerOptions) {}

  /** The instance records to store, one per planned instance; throws when the environment cannot be built. */
  async prepare(
    job: JobRecord,
    placement: Placement,
    summaryDir: string,
    /** The job's datasets and models (AIPLAT_DATASET_<NAME>, AIPLAT_MODEL_<NAME>), with their folders on this machine. */
    inputEnv: Record<string, string> = {},
  ): Promise<InstanceRecord[]> {
    const { files, host } = this.options;
    const planned = plannedInstances(job.spec);
    const requests = jobRequest(job.id, job.spec, 0).instances;
    const placements: InstancePlacement[] = [];
    for (const p of planned) {
      const placed = placement.instances[p.index];
      if (!placed) throw new Error(`no placement for instance ${p.index}`);
      const names = requiredPorts(job.spec.mode, { role: p.role, index: p.index });
      const numbers = await this.ports.allocate(names.length);
      const ports: Partial<Record<PortName, number>> = {};
      names.forEach((name, i) => (ports[name] = numbers[i]!));
      const node = this.options.nodes.find((n) => n.name === placed.node);
      const accelerator = requests[p.index]!.accelerator;
      const kind = accelerator.type !== 'none' ? accelerator.type : node?.accelerator.type;
      const devices: DeviceAssignment | undefined =
        kind && kind !== 'none' ? { kind, ids: accelerator.type === 'none' ? [] : placed.devices } : undefined;
      placements.push({
        index: p.index,
        role: p.role,
        ...(p.group !== undefined ? { group: p.group } : {}),
        host,
        gpus: accelerator.count,
        ...(devices ? { devices } : {}),
        ports,
      });
    }
    const jobDir = files.jobDir(job.id);
    const result = buildEnvironment({
      jobId: job.id,
      mode: job.spec.mode,
      instances: placements,
      userEnv: job.spec.env,
      inputEnv,
      hyperparametersPath: path.join(jobDir, 'hyperparameters.json'),
      hyperparameters: job.spec.hyperparameters,
      jobDir,
      summaryDir,
    });
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
    await mkdir(files.logDir(job.id), { recursive: true });
    await mkdir(path.dirname(files.metricsFile(job.id, 0)), { recursive: true });
    for (const file of result.plan.files) {
      await mkdir(path.dirname(file.path), { recursive: true });
      await writeFile(file.path, file.content);
    }
    const logDir = files.logDir(job.id);
    return planned.map((p) => {
      const placed = placement.instances[p.index]!;
      const env = result.plan.instances[p.index]!.env;
      return {
        jobId: job.id,
        index: p.index,
        role: p.role,
        ...(p.group !== undefined ? { group: p.group } : {}),
        name: p.name,
        state: 'Starting' as const,
        host,
        node: placed.node,
        ...(placed.devices.length > 0 ? { devices: [...placed.devices] } : {}),
        stateFile: instancePaths(logDir, p.name).stateFile,
        env: { ...env },
      };
    });
  }
}
