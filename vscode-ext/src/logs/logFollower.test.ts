import { isTerminalJobState, type LogLine } from '@aiplat/api';
import { describe, expect, it } from 'vitest';
import { jobLogSource, LogFollower } from './logFollower.js';
import { TWO_NODE_ECHO, useConnectedBackend } from '../test/connectedServices.js';

const live = useConnectedBackend();

/** Follows a job's log to its end, resolving with every line. */
function followToEnd(jobId: string, cursor?: string): Promise<{ lines: LogLine[]; follower: LogFollower }> {
  const lines: LogLine[] = [];
  return new Promise((resolve, reject) => {
    const follower = new LogFollower({
      client: live.connection.client!,
      events: live.events,
      source: jobLogSource(jobId),
      cursor,
      onLines: (batch) => lines.push(...batch),
      onEnd: () => resolve({ lines, follower }),
      onError: reject,
    });
    follower.start().catch(reject);
  });
}

describe('LogFollower against the real backend', () => {
  it('reads the written pages then the stream, to the end, with every instance', async () => {
    const job = await live.backend.client().createJob({ body: { spec: TWO_NODE_ECHO } });
    const { lines } = await followToEnd(job.id);
    const program = lines.filter((l) => l.stream === 'stdout');
    expect(program.map((l) => `${l.instance}:${l.text}`).sort()).toEqual(['0:hi', '1:hi']);
    const keys = lines.map((l) => `${l.instance}/${l.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('resumes from a cursor: a second follower gets exactly the lines after it', async () => {
    const job = await live.backend.client().createJob({
      body: {
        spec: {
          ...TWO_NODE_ECHO,
          nodes: 1,
          command: 'for i in 1 2 3 4 5 6; do echo line-$i; sleep 0.1; done',
        },
      },
    });
    // The first follower stops after its first batch of program output; the second resumes there.
    const first: LogLine[] = [];
    const stopped = new Promise<string | undefined>((resolve, reject) => {
      const follower: LogFollower = new LogFollower({
        client: live.connection.client!,
        events: live.events,
        source: jobLogSource(job.id),
        onLines: (batch) => {
          first.push(...batch);
          if (first.some((l) => l.stream === 'stdout')) {
            follower.dispose();
            resolve(follower.cursor);
          }
        },
        onEnd: () => resolve(follower.cursor),
        onError: reject,
      });
      follower.start().catch(reject);
    });
    const cursor = await stopped;
    expect(cursor).toBeDefined();

    const { lines: second } = await followToEnd(job.id, cursor);
    const all = [...first, ...second];
    const keys = all.map((l) => `${l.instance}/${l.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(all.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual([
      'line-1',
      'line-2',
      'line-3',
      'line-4',
      'line-5',
      'line-6',
    ]);
    const final = await live.backend.client().getJob({ params: { id: job.id } });
    expect(isTerminalJobState(final.state)).toBe(true);

    // From the end of a finished job's log: nothing more, then the end.
    const { lines: none } = await followToEnd(job.id, (await followToEnd(job.id)).follower.cursor);
    expect(none).toEqual([]);
  });
});
