import { fileURLToPath } from 'node:url';

/**
 * The folder holding the stand-in `deepspeed` launcher (bin/deepspeed): put it first on a job's
 * PATH. It reads a DeepSpeed hostfile as DeepSpeed does and runs a script once per slot; DeepSpeed
 * itself cannot be installed where the tests run.
 */
export const STAND_IN_BIN = fileURLToPath(new URL('./bin/', import.meta.url));
