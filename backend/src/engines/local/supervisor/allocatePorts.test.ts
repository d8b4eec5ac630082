import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePorts } from './allocatePorts.js';

describe('allocatePorts', () => {
  it('hands out distinct, bindable ports and never the same one twice in a process', async () => {
    const [first, second] = await Promise.all([allocatePorts(5), allocatePorts(5)]);
    const all = [...(first ?? []), ...(second ?? [])];
    expect(all).toHaveLength(10);
    expect(new Set(all).size).toBe(10);
    for (const port of all) expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(all[0], '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
    expect(await allocatePorts(0)).toEqual([]);
  });
});
