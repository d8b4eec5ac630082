import { describe, expect, it } from 'vitest';
import { outputFrames } from './outputFrames.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function read(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const { stream, data } of outputFrames(chunks)) out.push(`${stream}:${data.toString()}`);
  return out;
}

describe('outputFrames', () => {
  const whole = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, ''), frame(1, 'world')]);

  it('reads frames however the chunks cut them (inside a header, at its end, inside a payload)', async () => {
    for (let cut = 1; cut < whole.length; cut++) {
      const pieces = await read([whole.subarray(0, cut), whole.subarray(cut)]);
      const joined: Record<string, string> = {};
      for (const piece of pieces) {
        const [stream = '', data = ''] = piece.split(/:(.*)/s);
        joined[stream] = (joined[stream] ?? '') + data;
      }
      expect(joined).toEqual({ stdout: 'hello world', stderr: 'oops' });
    }
  });

  it('refuses output that is not framed, and output cut in the middle of a frame', async () => {
    await expect(read([Buffer.from('plain text from a TTY')])).rejects.toThrow(/not framed/);
    await expect(read([whole.subarray(0, whole.length - 2)])).rejects.toThrow(/middle of a frame/);
  });
});
