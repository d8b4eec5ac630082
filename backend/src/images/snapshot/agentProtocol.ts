import type { LayerProgress } from './layerWriter.js';

/** What `snapshot-agent layer` reports when the layer is complete. */
export interface LayerDone {
  /** `sha256:` of the gzip stream (the layer's digest). */
  digest: string;
  /** `sha256:` of the tar (the config's diff_id). */
  diffId: string;
  /** Bytes of the gzip stream. */
  size: number;
  /** Tar entries written. */
  files: number;
}

/** One line the agent writes on stderr: JSON, one object a line. */
export type AgentLine = { plan: LayerProgress } | { progress: LayerProgress } | { done: LayerDone } | { error: string };

export function formatAgentLine(line: AgentLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Reads one stderr line of the agent; anything else (a Node crash's text) is an error naming the line. */
export function parseAgentLine(text: string): AgentLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`the snapshot agent wrote something that is not its protocol: ${text.slice(0, 500)}`);
  }
  if (typeof value === 'object' && value !== null) {
    const line = value as Record<string, unknown>;
    if (typeof line.error === 'string') return { error: line.error };
    if (isObjectWith(line.plan, ['bytes', 'files'])) return { plan: line.plan as LayerProgress };
    if (isObjectWith(line.progress, ['bytes', 'files'])) return { progress: line.progress as LayerProgress };
    if (isObjectWith(line.done, ['size', 'files']) && typeof (line.done as LayerDone).digest === 'string') {
      return { done: line.done as LayerDone };
    }
  }
  throw new Error(`the snapshot agent wrote something that is not its protocol: ${text.slice(0, 500)}`);
}

function isObjectWith(value: unknown, numbers: string[]): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    numbers.every((key) => typeof (value as Record<string, unknown>)[key] === 'number')
  );
}
