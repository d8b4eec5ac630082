import type { InstancePlacement, PortName, TrainingMode } from './types.js';

/**
 * The ports the supervisor must allocate for one instance before calling `buildEnvironment`:
 * DDP a rendezvous port on instance 0, PS-Worker a server port on every ps and worker, Ray a GCS
 * port on the head. MPI, Horovod and DeepSpeed need none (mpirun / horovodrun / deepspeed pick their own).
 */
export function requiredPorts(
  mode: TrainingMode,
  instance: Pick<InstancePlacement, 'role' | 'index'>,
): readonly PortName[] {
  switch (mode) {
    case 'ddp':
      return instance.index === 0 ? ['master'] : [];
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return [];
    case 'ps-worker':
      return instance.role === 'ps' || instance.role === 'worker' ? ['task'] : [];
    case 'ray':
      return instance.role === 'head' ? ['head'] : [];
  }
}

/** A TCP port a process can listen on. */
export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
