import { Option, type Command } from 'commander';
import { parse as parseYamlValue, parseDocument } from 'yaml';
import {
  DEV_MACHINE_JOB_TAG,
  EngineKindSchema,
  instanceCount,
  type EngineKind,
  type Job,
  type JobDetail,
} from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { formatLogLine } from '../format.js';
import { streamLogs, watchJob } from '../follow.js';
import { messages } from '../messages.js';
import { printDryRun } from './dryRun.js';
import { connect } from './shared.js';

interface SubmitOptions {
  file?: string;
  name?: string;
  set?: string[];
  wait?: boolean;
  follow?: boolean;
  quiet?: boolean;
  engine?: EngineKind;
  dryRun?: boolean;
  config?: string;
  user?: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Fields whose values are always text in a job spec. */
const TEXT_MAPS = ['env', 'tags'];

/**
 * The job.yaml with `--name` and `--set` applied to its document (comments kept). A file that does
 * not parse is sent as it is, so the server reports its syntax error with the file's own lines.
 */
export function applyOverrides(text: string, name: string | undefined, sets: readonly string[]): string {
  if (name === undefined && sets.length === 0) return text;
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return text;
  for (const set of sets) {
    const eq = set.indexOf('=');
    const key = eq === -1 ? '' : set.slice(0, eq).trim();
    if (!key || key.split('.').some((part) => part === '')) throw new UsageError(messages.submit.badSet(set));
    const raw = set.slice(eq + 1);
    const path = key.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
    let value: unknown = raw;
    if (!(path.length === 2 && TEXT_MAPS.includes(String(path[0])))) {
      try {
        value = raw === '' ? '' : (parseYamlValue(raw) as unknown);
      } catch (error) {
        throw new UsageError(messages.submit.badSetValue(key, (error as Error).message.split('\n')[0] ?? ''));
      }
    }
    doc.setIn(path, value);
  }
  if (name !== undefined) doc.set('name', name);
  return doc.toString({ lineWidth: 0 });
}

function summary(job: Job): string {
  return messages.submit.summary(
    job.spec.name,
    job.spec.mode,
    instanceCount(job.spec),
    job.spec.queue,
    job.spec.priority,
  );
}

/** `body.yaml.resources.cpu` (or `body.spec.…`) → `resources.cpu`: the field as written in the job.yaml. */
function yamlFieldPath(path: string): string {
  if (path === 'body.yaml') return '(root)';
  const prefix = ['body.yaml.', 'body.spec.'].find((p) => path.startsWith(p));
  return prefix ? path.slice(prefix.length) : path;
}

export function stateDetail(job: Job): string {
  return job.state === 'Queued' ? messages.wait.queued(job.queuePosition, job.waitReason?.message) : '';
}

/** Waits for a job (printing its states, and with `logs` its logs) and returns the exit code. */
export async function waitForJob(
  ctx: CliContext,
  conn: ReturnType<CliContext['connect']>,
  job: JobDetail,
  logs: boolean,
): Promise<number> {
  const id = job.id;
  const prefixes = job.instances.length > 1 ? new Map(job.instances.map((i) => [i.index, i.name])) : undefined;
  const format = { ...(prefixes ? { prefixes } : {}), timestamps: false };
  const [final] = await Promise.all([
    watchJob(conn, ctx, id, (j) => ctx.info(messages.wait.state(id, j.state, stateDetail(j)))),
    logs
      ? streamLogs(conn, ctx, id, {}, true, (lines) => ctx.out(lines.map((l) => formatLogLine(l, format)).join('')))
      : undefined,
  ]);
  switch (final.state) {
    case 'Succeeded':
      return 0;
    case 'Failed':
      ctx.info(final.reason ? messages.wait.failed(id, final.reason.message) : messages.wait.failedNoReason(id));
      return 1;
    default:
      ctx.info(messages.wait.stopped(id));
      return 1;
  }
}

export function registerSubmit(program: Command, ctx: CliContext): void {
  const m = messages.submit;
  program
    .command('submit')
    .description(m.description)
    .option('-f, --file <path>', m.file)
    .option('--name <name>', m.name)
    .option('--set <key=value>', m.set, collect)
    .option('--wait', m.wait)
    .option('--follow', m.follow)
    .option('-q, --quiet', m.quiet)
    .addOption(new Option('--engine <engine>', m.engine).choices(EngineKindSchema.options))
    .option('--dry-run', m.dryRun)
    .option('--config <file>', m.config)
    .option('--user <name>', m.user)
    .addHelpText('after', m.after)
    .action(async (options: SubmitOptions, command: Command) => {
      if (options.file === undefined) throw new UsageError(m.fileRequired);
      // From a dev machine's terminal: the job is tagged with the machine, whose idle policy then waits for it.
      const machine = ctx.deps.env.AIPLAT_DEVMACHINE_ID;
      const sets = [
        ...(machine && /^dm-[a-z0-9]+$/.test(machine) ? [`tags.${DEV_MACHINE_JOB_TAG}=${machine}`] : []),
        ...(options.set ?? []),
        ...(options.engine ? [`engine=${options.engine}`] : []),
      ];
      const text = applyOverrides(await ctx.readJobFile(options.file), options.name, sets);
      ctx.issuePath = yamlFieldPath;
      if (options.dryRun) return printDryRun(ctx, text, options);
      const conn = connect(ctx, command);
      const job = await conn.client.createJob({ body: { yaml: text } });
      ctx.issuePath = (path) => path;
      ctx.out(options.quiet ? `${job.id}\n` : `${m.submitted(job.id, summary(job))}\n`);
      if (options.wait || options.follow) ctx.exitCode = await waitForJob(ctx, conn, job, options.follow === true);
    });
}
