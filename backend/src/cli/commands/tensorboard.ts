import type { Command } from 'commander';
import { ApiError, jobSummaryDir, tagMatches, type ApiClient, type TensorBoard } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { age, table, toJson } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption } from './shared.js';

const START_TIMEOUT_MS = 180_000;

/** A job of the user's (id or name: the newest of that name) as its summaries' folder, or a folder under /work. */
async function logDirOf(client: ApiClient, jobOrPath: string): Promise<{ path: string; jobId?: string }> {
  if (/^(\/work\/)?(home|cache|mount)(\/|$)/.test(jobOrPath)) return { path: jobOrPath.replace(/^\/work\//, '') };
  const { jobs } = await client.listJobs({ query: { mine: true, limit: 500 } });
  const job = jobs.find((j) => j.id === jobOrPath) ?? jobs.find((j) => j.spec.name === jobOrPath);
  if (!job) throw new ApiError('not_found', messages.tensorboard.noSuchJob(jobOrPath));
  return { path: jobSummaryDir(job), jobId: job.id };
}

function formatValue(value: number | null): string {
  return value === null ? 'NaN' : String(Number(value.toPrecision(6)));
}

/** `aiplat scalars` and `aiplat tensorboard open|list|stop`. */
export function registerTensorBoard(program: Command, ctx: CliContext): void {
  const s = messages.scalars;
  program
    .command('scalars')
    .description(s.description)
    .argument('<job-or-folder>', s.source)
    .option('--tag <regex>', s.tag)
    .addOption(outputOption(['json']))
    .addHelpText('after', s.after)
    .action(async (source: string, options: { tag?: string; output?: 'json' }, command: Command) => {
      const { client } = connect(ctx, command);
      const { path } = await logDirOf(client, source);
      const answer = await client.scalarRuns({ query: { path } });
      const rows = answer.runs.flatMap((run) =>
        run.tags
          .filter((tag) => tagMatches(tag.tag, options.tag ?? ''))
          .map((tag) => [run.name, tag.tag, String(tag.lastStep), formatValue(tag.lastValue), String(tag.count)]),
      );
      for (const w of answer.warnings) ctx.info(s.warning(`${w.run}/${w.file}`, w.offset, w.message));
      if (options.output === 'json') ctx.out(toJson(answer));
      else if (rows.length === 0) ctx.out(`${s.empty(answer.path)}\n`);
      else {
        const h = s.header;
        ctx.out(table([h.run, h.tag, h.step, h.value, h.points], rows));
      }
    });

  const m = messages.tensorboard;
  const tensorboard = program.command('tensorboard').description(m.description).addHelpText('after', m.after);
  tensorboard
    .command('open')
    .description(m.open.description)
    .argument('<job-or-folder>', s.source)
    .action(async (source: string, _options: unknown, command: Command) => {
      const { client, baseUrl } = connect(ctx, command);
      const { path, jobId } = await logDirOf(client, source);
      let board: TensorBoard = await client.startTensorBoard({ body: jobId ? { jobId } : { path } });
      const deadline = Date.now() + START_TIMEOUT_MS;
      if (board.state === 'Starting') ctx.info(m.open.waiting);
      while (board.state === 'Starting' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        board = (await client.listTensorBoards()).items.find((b) => b.id === board.id) ?? board;
      }
      if (board.state !== 'Running') throw new ApiError('unavailable', m.open.failed(board.reason ?? board.state));
      const link = await client.createLoginLink({ body: { next: board.url } });
      ctx.out(`${new URL(link.path, baseUrl).toString()}\n`);
      ctx.info(m.open.oneTime);
    });
  tensorboard
    .command('list')
    .alias('ls')
    .description(m.list.description)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { client } = connect(ctx, command);
      const { items, unavailable } = await client.listTensorBoards();
      if (unavailable) ctx.info(unavailable);
      if (options.output === 'json') ctx.out(toJson(items));
      else if (items.length === 0) ctx.out(`${m.list.empty}\n`);
      else {
        const h = m.header;
        const now = new Date();
        ctx.out(
          table(
            [h.id, h.path, h.state, h.age],
            items.map((b) => [b.id, b.path, b.reason ? `${b.state} (${b.reason})` : b.state, age(b.createdAt, now)]),
          ),
        );
      }
    });
  tensorboard
    .command('stop')
    .description(m.stop.description)
    .argument('<id>', m.stop.board)
    .action(async (id: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const stopped = await client.stopTensorBoard({ params: { id } });
      ctx.out(`${stopped.id}: ${stopped.state}\n`);
    });
}
