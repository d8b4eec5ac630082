import { appendFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { encodeLogLine } from '../../../logs/logFormat.js';
import { instancePaths } from '../supervisor/index.js';

/* Where a version's files live on this machine, and what its replicas' environment starts from. */

/** `<dataDir>/services/<name>/v<N>`: the version's logs (`logs/`), venv and requirements.txt. */
export function versionFolder(dataDir: string, name: string, version: number): string {
  return path.join(dataDir, 'services', name, `v${version}`);
}

/** The two names an index's processes alternate between, so a rolling restart's new process has its own files. */
export function instanceNames(index: number): [string, string] {
  return [`replica-${index}`, `replica-${index}.b`];
}

/** pip's output as the platform's lines of replica 0's log (before any replica runs, so no writer races). */
export function appendPlatformLine(file: string, text: string, seq: number): void {
  appendFileSync(file, encodeLogLine({ t: new Date().toISOString(), s: 'platform', m: text, seq }));
}

/** The log of an index's latest process, from the files alone: of its two slots, the one written last. */
export function newestLog(logDir: string, index: number): string {
  const files = instanceNames(index).map((instance) => instancePaths(logDir, instance).logFile);
  const modified = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  return files.reduce((newest, file) => (modified(file) > modified(newest) ? file : newest));
}
