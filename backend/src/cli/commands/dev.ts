import { InvalidArgumentError, type Command } from 'commander';
import {
  ApiError,
  DEV_MACHINE_IDES,
  DevMachineSpecSchema,
  keepsMachineUp,
  type ApiClient,
  type DevMachine,
  type DevMachineIdle,
  type DevMachineIde,
  type DevMachineSpecInput,
} from '@aiplat/api';
import { dryRunDevMachine } from '../../engines/kubernetes/devmachines/devMachineDryRun.js';
import { UsageError, type CliContext, type Connection } from '../context.js';
import { streamFeed, type LogFeed } from '../follow.js';
import { cliUser, readKubernetesConfig } from '../kubernetesConfig.js';
import { age, formatLogLine, resourcesText, table, toJson } from '../format.js';
import { messages } from '../messages.js';
import { addAccessOptions, accessSpec, registerDevSsh, type AccessOptions } from './devAccess.js';
import { registerDevGet } from './devDescribe.js';
import { lifecycleConfigMessages } from './lifecycleConfig.js';
import { connect, outputOption } from './shared.js';

const m = messages.dev;
const lm = lifecycleConfigMessages.dev;

interface CreateOptions extends AccessOptions {
  ides?: DevMachineIde[];
  cpu?: number;
  memory?: string;
  accelerator?: { type: 'nvidia' | 'ascend'; count: number };
  image?: string;
  environment?: string;
  workingDir?: string;
  lifecycleConfig?: string;
  autoStop?: number;
  idleMinutes?: number;
  idleCpu?: number;
  queue?: string;
  engine?: 'local' | 'kubernetes';
  start: boolean;
  dryRun?: boolean;
  config?: string;
  user?: string;
}

function parseIdes(value: string): DevMachineIde[] {
  return value
    .split(',')
    .map((ide) => ide.trim())
    .filter(Boolean)
    .map((ide) => {
      const known = DEV_MACHINE_IDES.find((name) => name === ide.toLowerCase());
      if (!known) throw new InvalidArgumentError(`unknown IDE "${ide}": use ${DEV_MACHINE_IDES.join(' or ')}`);
      return known;
    });
}

function parseAccelerator(value: string): CreateOptions['accelerator'] {
  const match = /^(nvidia|ascend):(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(m.create.badAccelerator(value));
  return { type: match[1] as 'nvidia' | 'ascend', count: Number(match[2]) };
}

function parseCpu(value: string): number {
  const cpu = Number(value);
  if (!Number.isFinite(cpu) || cpu <= 0) throw new InvalidArgumentError(m.create.badNumber(value));
  return cpu;
}

const IDLE_HELP =
  'stop once idle for this many minutes (1-1440): no kernel busy or connected, no terminal, no code-server heartbeat, no job from it';
const IDLE_CPU_HELP = 'with --idle-minutes: idle only while the CPU used is under this percent of a core';

function parseWhole(value: string, option: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new InvalidArgumentError(`${option} takes a whole number from ${min} to ${max}, not ${value}`);
  }
  return number;
}

/** The first line of `aiplat dev idle`: the verdict. */
function idleVerdict(status: DevMachineIdle): string {
  if (!status.policy) return 'No idle policy: the values below are for information.\n';
  if (status.signals.length === 0) return 'Not running.\n';
  if (status.idle) return `Idle since ${status.idleSince}: stops at ${status.stopsAt} if it stays idle.\n`;
  const keeping = status.signals.filter(keepsMachineUp).map((signal) => signal.name);
  return `Not idle: kept up by ${keeping.join(', ')}.\n`;
}

const AUTO_STOP_HELP = 'stop by itself after this many hours of running (1-24), warned 10 minutes before';

function parseHours(value: string): number {
  const hours = Number(value);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24) {
    throw new InvalidArgumentError(`--auto-stop takes a whole number of hours from 1 to 24, not ${value}`);
  }
  return hours;
}

/** One of the user's dev machines by id or name. */
async function find(client: ApiClient, idOrName: string): Promise<DevMachine> {
  const { devMachines } = await client.listDevMachines();
  const found = devMachines.find((machine) => machine.id === idOrName || machine.spec.name === idOrName);
  if (!found) throw new ApiError('not_found', m.noSuch(idOrName));
  return found;
}

/**
 * A dev machine's log (its lifecycle scripts' output, one log across its starts), followed on
 * `devmachine-logs/<id>`: like a service's, it ends only with the dev machine.
 */
function devMachineLogFeed(conn: Connection, id: string): LogFeed {
  return {
    readPage: (query) => conn.client.devMachineLogs({ params: { id }, query }),
    topic: `devmachine-logs/${id}`,
    changes: `devmachines/${id}`,
    // This read throws (not found) once the dev machine is deleted.
    finished: async () => (await conn.client.getDevMachine({ params: { id } }), false),
  };
}

function machinesTable(machines: readonly DevMachine[], now: Date): string {
  const h = m.header;
  return table(
    [h.id, h.name, h.state, h.ides, h.resources, h.age],
    machines.map((machine) => [
      machine.id,
      machine.spec.name,
      machine.failure ? `${machine.state} (${machine.failure.message})` : machine.state,
      machine.spec.ides.join(','),
      resourcesText(machine.spec.resources),
      age(machine.createdAt, now),
    ]),
  );
}

/** `aiplat dev create|get|ssh|list|start|stop|open|logs|delete`. */
export function registerDev(program: Command, ctx: CliContext): void {
  const dev = program.command('dev').description(m.description);

  const create = dev
    .command('create')
    .description(m.create.description)
    .argument('<name>', m.create.name)
    .option('--ides <ides>', m.create.ides, parseIdes)
    .option('--cpu <cores>', m.create.cpu, parseCpu)
    .option('--memory <quantity>', m.create.memory)
    .option('--accelerator <type:count>', m.create.accelerator, parseAccelerator)
    .option('--image <image>', m.create.image)
    .option('--environment <path>', m.create.environment)
    .option('--working-dir <dir>', m.create.workingDir)
    .option('--lifecycle-config <name>', lm.lifecycleConfig)
    .option('--auto-stop <hours>', AUTO_STOP_HELP, parseHours)
    .option('--idle-minutes <minutes>', IDLE_HELP, (value) => parseWhole(value, '--idle-minutes', 1, 1440))
    .option('--idle-cpu <percent>', IDLE_CPU_HELP, (value) => parseWhole(value, '--idle-cpu', 0, 100))
    .option('--queue <queue>', m.create.queue)
    .option('--engine <engine>', m.create.engine)
    .option('--no-start', m.create.noStart)
    .option('--dry-run', m.create.dryRun)
    .option('--config <file>', m.create.config)
    .option('--user <name>', m.create.user)
    .addHelpText('after', m.create.after);
  addAccessOptions(create).action(async (name: string, options: CreateOptions, command: Command) => {
    const spec: DevMachineSpecInput = {
      name,
      resources: {
        cpu: options.cpu ?? 2,
        memory: options.memory ?? '4Gi',
        ...(options.accelerator ? { accelerator: options.accelerator } : {}),
      },
      ...(options.ides ? { ides: options.ides } : {}),
      ...(options.image ? { image: options.image } : {}),
      ...(options.environment ? { environment: options.environment } : {}),
      ...(options.workingDir ? { workingDir: options.workingDir } : {}),
      ...(options.lifecycleConfig ? { lifecycleConfig: options.lifecycleConfig } : {}),
      ...(options.autoStop ? { autoStop: { afterHours: options.autoStop } } : {}),
      ...(options.idleMinutes
        ? {
            idlePolicy: {
              forMinutes: options.idleMinutes,
              ...(options.idleCpu === undefined ? {} : { thresholds: { cpuPercent: options.idleCpu } }),
            },
          }
        : {}),
      ...(options.queue ? { queue: options.queue } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
      ...(await accessSpec(ctx, options)),
    };
    if (options.dryRun) {
      if (options.engine !== 'kubernetes') throw new UsageError(m.create.dryRunNeedsKubernetes);
      const parsed = DevMachineSpecSchema.safeParse(spec);
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => issue.message).join('; '));
      const config = readKubernetesConfig(ctx, options.config);
      ctx.out(dryRunDevMachine(cliUser(ctx, options.user), parsed.data, config).yaml);
      return;
    }
    const { client } = connect(ctx, command);
    const created = await client.createDevMachine({ body: { spec, start: options.start } });
    ctx.out(`${m.done(created.spec.name, created.id, created.state)}\n`);
  });

  registerDevGet(dev, ctx, find, m.machine);
  registerDevSsh(dev, ctx, find, m.machine);

  dev
    .command('list')
    .alias('ls')
    .description(m.list.description)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { client } = connect(ctx, command);
      const { devMachines } = await client.listDevMachines();
      if (options.output === 'json') ctx.out(toJson(devMachines));
      else if (devMachines.length === 0) ctx.out(`${m.list.empty}\n`);
      else ctx.out(machinesTable(devMachines, new Date()));
    });

  dev
    .command('start')
    .description(m.start.description)
    .argument('<machine>', m.machine)
    .option('--safe-mode', lm.safeMode)
    .action(async (idOrName: string, options: { safeMode?: boolean }, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const safeMode = options.safeMode === true;
      const started = await client.startDevMachine({ params: { id }, body: { safeMode } });
      ctx.out(`${m.done(started.spec.name, started.id, started.state)}\n`);
      if (safeMode) {
        const config = started.spec.lifecycleConfig;
        ctx.info(config ? lm.safeModeDone(started.spec.name, config) : lm.safeModeNothing(started.spec.name));
      }
    });

  dev
    .command('idle')
    .description('why (not) idle: each signal of a running dev machine, its value and whether it counts')
    .argument('<machine>', m.machine)
    .addOption(outputOption(['json']))
    .action(async (idOrName: string, options: { output?: 'json' }, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const status = await client.devMachineIdle({ params: { id } });
      if (options.output === 'json') return ctx.out(toJson(status));
      ctx.out(idleVerdict(status));
      if (status.signals.length > 0) {
        ctx.out(
          table(
            ['SIGNAL', 'VALUE', 'COUNTS', 'IDLE'],
            status.signals.map((signal) => [
              signal.name,
              signal.value,
              signal.counts ? 'yes' : 'no',
              signal.idle ? 'yes' : 'no',
            ]),
          ),
        );
      }
    });

  dev
    .command('snooze')
    .description("put a running dev machine's auto-stop off by one hour")
    .argument('<machine>', m.machine)
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const snoozed = await client.snoozeDevMachineAutoStop({ params: { id } });
      ctx.out(`${snoozed.spec.name} (${snoozed.id}) stops by itself at ${snoozed.autoStopAt ?? '?'}\n`);
    });

  dev
    .command('stop')
    .description(m.stop.description)
    .argument('<machine>', m.machine)
    .option('--force', m.stop.force)
    .action(async (idOrName: string, options: { force?: boolean }, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const stopped = await client.stopDevMachine({ params: { id }, body: { force: options.force === true } });
      ctx.out(`${m.done(stopped.spec.name, stopped.id, stopped.state)}\n`);
    });

  dev
    .command('open')
    .description(m.open.description)
    .argument('<machine>', m.machine)
    .option('--ide <ide>', m.open.ide, (value) => parseIdes(value)[0])
    .action(async (idOrName: string, options: { ide?: DevMachineIde }, command: Command) => {
      const { client, baseUrl } = connect(ctx, command);
      const machine = await find(client, idOrName);
      if (machine.state !== 'Running')
        throw new ApiError('conflict', m.open.notRunning(machine.spec.name, machine.state));
      for (const [ide, url] of Object.entries(machine.urls)) {
        if (options.ide && options.ide !== ide) continue;
        // A link that signs the browser in once, then opens the IDE: the token never goes into a URL.
        const link = await client.createLoginLink({ body: { next: url } });
        ctx.out(`${ide}: ${new URL(link.path, baseUrl).toString()}\n`);
      }
      ctx.info(m.open.oneTime);
    });

  dev
    .command('logs')
    .description(lm.logs.description)
    .argument('<machine>', m.machine)
    .option('--search <text>', lm.logs.search)
    .option('-f, --follow', lm.logs.follow)
    .option('--timestamps', lm.logs.timestamps)
    .action(
      async (
        idOrName: string,
        options: { search?: string; follow?: boolean; timestamps?: boolean },
        command: Command,
      ) => {
        const conn = connect(ctx, command);
        const { id } = await find(conn.client, idOrName);
        const format = { timestamps: options.timestamps === true };
        const filter = options.search !== undefined ? { search: options.search } : {};
        await streamFeed(conn, ctx, devMachineLogFeed(conn, id), filter, options.follow === true, (lines) =>
          ctx.out(lines.map((line) => formatLogLine(line, format)).join('')),
        );
      },
    );

  dev
    .command('delete')
    .alias('rm')
    .description(m.delete.description)
    .argument('<machine>', m.machine)
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const { deleted } = await client.deleteDevMachine({ params: { id } });
      ctx.out(`${m.deleted(deleted)}\n`);
    });
}
