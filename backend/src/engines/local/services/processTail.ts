import { readFile } from 'node:fs/promises';
import { parseLogLine } from '../../../logs/logFormat.js';

const TAIL_BYTES = 8_000;

/**
 * The last lines the replica's latest process printed, as one line of text for a failure message:
 * a replica's log holds every process it ran, so only lines after the log shim's last `started:`
 * line count (the platform's own lines never do).
 */
export async function processTail(logFile: string, lines = 3): Promise<string> {
  let text: string;
  try {
    text = await readFile(logFile, 'utf8');
  } catch {
    return '';
  }
  const printed: string[] = [];
  for (const raw of text.slice(-TAIL_BYTES).split('\n')) {
    const line = parseLogLine(raw);
    if (!line) continue;
    if (line.s === 'platform') {
      if (line.m.startsWith('started:')) printed.length = 0;
      continue;
    }
    if (line.m.trim()) printed.push(line.m.trim());
  }
  return printed.slice(-lines).join(' / ');
}
