import path from 'node:path';
import type { JobFiles } from './engine.js';

/** Lays a job's files out under `<dataDir>/jobs/<id>/`. */
export function jobFilesUnder(dataDir: string): JobFiles {
  const jobDir = (id: string) => path.join(dataDir, 'jobs', id);
  return {
    jobDir,
    logDir: (id) => path.join(jobDir(id), 'logs'),
    logFile: (id, name) => path.join(jobDir(id), 'logs', `${name}.log`),
    metricsFile: (id, index) => path.join(jobDir(id), 'metrics', `${index}.jsonl`),
  };
}
