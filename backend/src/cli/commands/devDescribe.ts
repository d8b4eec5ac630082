import type { Command } from 'commander';
import { gitRepositoryFolder, type ApiClient, type DevMachine } from '@aiplat/api';
import { accessMessages } from '../accessMessages.js';
import type { CliContext } from '../context.js';
import { age, displayWidth, resourcesText, toJson, toYamlText } from '../format.js';
import { messages } from '../messages.js';
import { connect, outputOption } from './shared.js';

const m = accessMessages.dev.get;

/** The SSH line of a machine: off, the command while it runs, or why there is none yet. */
function sshLine(machine: DevMachine): string {
  const ssh = machine.spec.ssh;
  if (!ssh?.enabled) return m.sshOff;
  if (machine.ssh) return machine.ssh.command;
  if (machine.state === 'Running') return m.sshStarting;
  return m.sshWhileRunning(ssh.publicKeys?.length ?? 0);
}

/** Each repository of the spec with how its clone went: one line each, indented. */
function repositoryLines(machine: DevMachine): string[] {
  return (machine.spec.repositories ?? []).map((repository) => {
    const status = machine.repositories?.find((s) => s.url === repository.url);
    const state = !status
      ? m.notYet
      : status.state === 'cloned'
        ? m.cloned(status.path)
        : m.failed(status.message ?? '?');
    const what = m.repository(repository.url, repository.branch, repository.credential);
    return `  ${gitRepositoryFolder(repository.url)}: ${what}\n    ${state}\n`;
  });
}

/** `aiplat dev get` for people: the machine's fields, SSH, then its repositories. */
export function describeDevMachine(machine: DevMachine, now: Date): string {
  const f = m.fields;
  const when = (t: string | undefined) => (t === undefined ? undefined : messages.get.ago(t, age(t, now)));
  const rows: [string, string | undefined][] = [
    [f.id, machine.id],
    [f.name, machine.spec.name],
    [f.state, machine.state],
    [f.failure, machine.state === 'Failed' ? machine.failure?.message : undefined],
    [f.waiting, machine.waitReason?.message],
    [f.ides, machine.spec.ides.join(', ')],
    [f.resources, resourcesText(machine.spec.resources)],
    [f.image, machine.spec.image],
    [f.workingDir, machine.spec.workingDir],
    [f.lifecycleConfig, machine.spec.lifecycleConfig],
    [f.created, when(machine.createdAt)],
    [f.started, when(machine.startedAt)],
    [f.stopsAt, machine.state === 'Running' ? machine.autoStopAt : undefined],
    [f.ssh, sshLine(machine)],
    [f.hostKey, machine.ssh ? `${machine.ssh.hostKeyType} ${machine.ssh.hostKeyFingerprint}` : undefined],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => displayWidth(label))) + 2;
  let out = shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
  const repositories = repositoryLines(machine);
  if (repositories.length > 0) out += `${f.repositories}:\n${repositories.join('')}`;
  return out;
}

/** `aiplat dev get NAME [-o json|yaml]`. */
export function registerDevGet(
  dev: Command,
  ctx: CliContext,
  find: (client: ApiClient, idOrName: string) => Promise<DevMachine>,
  machineHelp: string,
): void {
  dev
    .command('get')
    .alias('describe')
    .description(m.description)
    .argument('<machine>', machineHelp)
    .addOption(outputOption(['json', 'yaml']))
    .action(async (idOrName: string, options: { output?: 'json' | 'yaml' }, command: Command) => {
      const machine = await find(connect(ctx, command).client, idOrName);
      if (options.output === 'json') ctx.out(toJson(machine));
      else if (options.output === 'yaml') ctx.out(toYamlText(machine));
      else ctx.out(describeDevMachine(machine, ctx.now()));
    });
}
