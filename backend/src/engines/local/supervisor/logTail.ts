import { readFile } from 'node:fs/promises';
import { parseLogLine } from '../../../logs/logFormat.js';

const LOG_TAIL_BYTES = 2_000;

/** The last lines a supervised process printed (not the platform's own), as one line of text for a failure message. */
export async function logTail(logFile: string, lines = 3): Promise<string> {
  try {
    const text = await readFile(logFile, 'utf8');
    return text
      .slice(-LOG_TAIL_BYTES)
      .split('\n')
      .flatMap((line) => {
        const parsed = parseLogLine(line);
        return parsed && parsed.s !== 'platform' && parsed.m.trim() ? [parsed.m.trim()] : [];
      })
      .slice(-lines)
      .join(' / ');
  } catch {
    return '';
  }
}
