import { open } from 'node:fs/promises';

/** The first `maxBytes` bytes of a file (fewer when it is shorter), and its size. */
export async function readHead(absPath: string, maxBytes: number): Promise<{ bytes: Buffer; size: number }> {
  const handle = await open(absPath, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.alloc(Math.min(maxBytes, size));
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), size };
  } finally {
    await handle.close();
  }
}
