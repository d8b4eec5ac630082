import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { encodeLogLine, LOG_TAIL_BYTES, nextSeqFromTail, type LogStream } from '../../../logs/logFormat.js';

/** Where a dev machine's lifecycle log is kept on this machine, whether it runs as processes or in a container. */
export function lifecycleLogFile(dataDir: string, id: string): string {
  return path.join(dataDir, 'devmachines', id, 'lifecycle.log');
}

/**
 * A dev machine's lifecycle script output, in the job log format (so it is read, searched and
 * followed as job logs are): one file across starts, the sequence going on from its last line.
 */
export class LifecycleLog {
  private constructor(
    private readonly out: WriteStream,
    private seq: number,
  ) {}

  static async open(file: string): Promise<LifecycleLog> {
    let seq = 1;
    const handle = await open(file, 'a+', 0o600);
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, LOG_TAIL_BYTES);
      if (length > 0) {
        const buffer = Buffer.alloc(length);
        await handle.read(buffer, 0, length, size - length);
        seq = nextSeqFromTail(buffer.toString('utf8'));
      }
    } finally {
      await handle.close();
    }
    return new LifecycleLog(createWriteStream(file, { flags: 'a' }), seq);
  }

  line(stream: LogStream, text: string): void {
    this.out.write(encodeLogLine({ t: new Date().toISOString(), s: stream, seq: this.seq++, m: text }));
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}
