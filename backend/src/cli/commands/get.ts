import type { Command } from 'commander';
import { instanceCount, type JobDetail, type JobSpec } from '@aiplat/api';
import type { CliContext } from '../context.js';
import { age, displayWidth, progressOrReason, resourcesText, table, toJson, toYamlText } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption } from './shared.js';

function topology(spec: JobSpec): string {
  switch (spec.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return `${spec.nodes} ${spec.nodes === 1 ? 'node' : 'nodes'}`;
    case 'ps-worker':
      return `${spec.ps} ps, ${spec.workers} workers`;
    case 'ray':
      return `head + ${spec.workerGroups.map((g) => `${g.replicas} ${g.name}`).join(', ') || 'no workers'}`;
  }
}

function resources(spec: JobSpec): string {
  switch (spec.mode) {
    case 'ddp':
    case 'mpi':
    case 'horovod':
    case 'deepspeed':
      return resourcesText(spec.resources);
    case 'ps-worker':
      return spec.psResources
        ? `workers: ${resourcesText(spec.resources)}; ps: ${resourcesText(spec.psResources)}`
        : resourcesText(spec.resources);
    case 'ray':
      return `head: ${resourcesText(spec.head.resources)}`;
  }
}

/** `aiplat get` for people: the job's fields, then its instances as a table. */
export function describeJob(job: JobDetail, now: Date): string {
  const f = messages.get.fields;
  const when = (t: string | undefined) => (t === undefined ? undefined : messages.get.ago(t, age(t, now)));
  const what = progressOrReason(job);
  const rows: [string, string | undefined][] = [
    [f.id, job.id],
    [f.name, job.spec.name],
    [f.state, job.state],
    [f.reason, job.state === 'Failed' ? job.reason?.message : undefined],
    [f.waiting, job.state === 'Queued' ? what || undefined : undefined],
    [f.progress, job.state !== 'Queued' && job.state !== 'Failed' ? what || undefined : undefined],
    [f.user, job.user],
    [f.mode, messages.get.modeLine(job.spec.mode, topology(job.spec))],
    [f.queue, messages.get.queueLine(job.spec.queue, job.spec.priority, job.queuePosition)],
    [f.resources, resources(job.spec)],
    [f.command, job.spec.command.trimEnd().replace(/\n/g, '\n  ')],
    [f.workingDir, job.spec.workingDir],
    [
      f.tags,
      Object.entries(job.spec.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || undefined,
    ],
    [f.created, when(job.createdAt)],
    [f.started, when(job.startedAt)],
    [f.finished, when(job.finishedAt)],
    [f.restarts, String(job.restarts)],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => displayWidth(label))) + 2;
  let out = shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
  const c = messages.columns;
  out += `${f.instances}: ${instanceCount(job.spec)}\n`;
  if (job.instances.length > 0) {
    const instances = table(
      [c.index, c.name, c.state, c.host, c.node, c.pid, c.exit],
      job.instances.map((i) => [
        String(i.index),
        i.name,
        i.state,
        i.host ?? '',
        i.node ?? '',
        i.pid === undefined ? '' : String(i.pid),
        i.exitCode === undefined ? (i.signal ?? '') : String(i.exitCode),
      ]),
    );
    out += instances.replace(/^/gm, '  ').replace(/ +$/gm, '');
  }
  return out;
}

export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description(messages.get.description)
    .argument('<job>', messages.logs.job)
    .addOption(outputOption(['json', 'yaml']))
    .addHelpText('after', messages.get.after)
    .action(async (id: string, options: { output?: 'json' | 'yaml' }, command: Command) => {
      const { client } = connect(ctx, command);
      const job = await client.getJob({ params: { id } });
      if (options.output === 'json') ctx.out(toJson(job));
      else if (options.output === 'yaml') ctx.out(toYamlText(job));
      else ctx.out(describeJob(job, ctx.now()));
    });
}
