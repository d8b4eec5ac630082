import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  ApiError,
  decodeLifecycleScript,
  LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS,
  LIFECYCLE_SCRIPT_TIMEOUT_SECONDS,
  type ApiClient,
  type LifecycleConfig,
  type LifecycleConfigSpec,
  type LifecycleScriptField,
} from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { age, table, toJson, toYamlText } from '../format.js';
import { connect, outputOption } from './shared.js';

/**
 * The CLI's words for lifecycle configs (`aiplat lifecycle-config`) and for the dev machine options
 * that use them (`aiplat dev create --lifecycle-config`, `dev start --safe-mode`, `dev logs`).
 */
export const lifecycleConfigMessages = {
  description:
    "Lifecycle configs: an on-create script (run at a dev machine's first start) and an on-start script (every start), run before its IDEs.",
  after: `
Examples:
  $ aiplat lifecycle-config create setup --on-create install.sh --on-start mount.sh
  $ aiplat lifecycle-config list
  $ aiplat lifecycle-config get setup --script on-start
  $ aiplat lifecycle-config update setup --on-start mount-v2.sh --no-on-create
  $ aiplat dev create lab --lifecycle-config setup
  $ aiplat dev logs lab -f
  $ aiplat dev start lab --safe-mode

Each script is sent base64-encoded, at most ${LIFECYCLE_SCRIPT_MAX_ENCODED_CHARS} characters (about 12 KiB of script),
and may run ${LIFECYCLE_SCRIPT_TIMEOUT_SECONDS / 60} minutes; its output is the dev machine's log (aiplat dev logs).
`,
  config: 'lifecycle config id (lc-…) or name',
  name: 'its name, e.g. setup',
  onCreate: "a shell script file run at a dev machine's first start only, before its IDEs",
  onStart: 'a shell script file run at every start of a dev machine, before its IDEs',
  noOnCreate: 'drop the on-create script',
  noOnStart: 'drop the on-start script',
  descriptionOption: 'a description',
  create: { description: 'Create a lifecycle config from script files.' },
  update: {
    description:
      'Replace a lifecycle config; the scripts not given are kept. Dev machines that use it run the new scripts from their next start.',
  },
  list: {
    description: 'List your lifecycle configs, newest first.',
    empty: 'No lifecycle configs yet: aiplat lifecycle-config create <name> --on-start <file>',
  },
  get: {
    description: 'Show a lifecycle config (its scripts base64-encoded), or one script as text.',
    script: 'print this script as text instead: on-create or on-start',
    noScript: (name: string, script: string) => `${name} has no ${script} script`,
    badScript: (value: string) => `--script takes on-create or on-start (got "${value}")`,
  },
  delete: { description: 'Delete a lifecycle config no dev machine uses.' },
  cannotRead: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
  done: (name: string, id: string, what: 'created' | 'updated') => `${name} (${id}): ${what}`,
  deleted: (id: string) => `${id}: deleted`,
  noSuch: (name: string) => `no lifecycle config ${name} of yours; list them with: aiplat lifecycle-config list`,
  header: { name: 'NAME', id: 'ID', onCreate: 'ON-CREATE', onStart: 'ON-START', usedBy: 'USED BY', age: 'AGE' },
  dev: {
    lifecycleConfig: 'the lifecycle config (name) whose scripts run before the IDEs start',
    safeMode: "skip the lifecycle config's scripts this once (to repair a dev machine whose script breaks its start)",
    safeModeDone: (name: string, config: string) =>
      `safe mode: the scripts of lifecycle config ${config} are skipped this once; the next start of ${name} runs them`,
    safeModeNothing: (name: string) => `safe mode: ${name} has no lifecycle config, so there are no scripts to skip`,
    logs: {
      description: "Print a dev machine's log: the output of its lifecycle scripts.",
      follow: 'keep printing new lines, across starts, until interrupted or the dev machine is deleted',
      search: 'only lines containing this text (case-insensitive)',
      timestamps: 'prefix each line with its time',
    },
  },
} as const;

const m = lifecycleConfigMessages;

/** The CLI's name of each script field (`--on-create`, `--script on-create`). */
const SCRIPT_NAMES: Readonly<Record<LifecycleScriptField, string>> = { onCreate: 'on-create', onStart: 'on-start' };

interface ScriptOptions {
  /** A file, or false for `--no-on-create` (update only). */
  onCreate?: string | false;
  onStart?: string | false;
  description?: string;
}

/** A script file's bytes, base64-encoded as the API takes them (any bytes, not only UTF-8 text). */
async function encodeFile(ctx: CliContext, file: string): Promise<string> {
  try {
    return (await readFile(path.resolve(ctx.deps.cwd ?? process.cwd(), file))).toString('base64');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new UsageError(m.cannotRead(file, reason));
  }
}

/**
 * The spec the options make: on top of `current` (update), each script given replaces the current
 * one, `false` drops it, and one not mentioned is kept.
 */
async function specFrom(
  ctx: CliContext,
  name: string,
  options: ScriptOptions,
  current?: LifecycleConfigSpec,
): Promise<LifecycleConfigSpec> {
  const spec: LifecycleConfigSpec = { name };
  const description = options.description ?? current?.description;
  if (description) spec.description = description;
  for (const field of ['onCreate', 'onStart'] as const) {
    const option = options[field];
    if (typeof option === 'string') spec[field] = await encodeFile(ctx, option);
    else if (option === undefined && current?.[field] !== undefined) spec[field] = current[field];
  }
  return spec;
}

/** One of the user's lifecycle configs by id or name. */
async function find(client: ApiClient, idOrName: string): Promise<LifecycleConfig> {
  const { lifecycleConfigs } = await client.listLifecycleConfigs();
  const found = lifecycleConfigs.find((config) => config.id === idOrName || config.spec.name === idOrName);
  if (!found) throw new ApiError('not_found', m.noSuch(idOrName));
  return found;
}

/** A script's size as its bytes: `312 B`, `4.2 KiB`; `-` when there is none. */
function scriptSize(encoded: string | undefined): string {
  if (encoded === undefined) return '-';
  const bytes = Buffer.from(encoded, 'base64').length;
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function configsTable(configs: readonly LifecycleConfig[], now: Date): string {
  const h = m.header;
  return table(
    [h.name, h.id, h.onCreate, h.onStart, h.usedBy, h.age],
    configs.map((config) => [
      config.spec.name,
      config.id,
      scriptSize(config.spec.onCreate),
      scriptSize(config.spec.onStart),
      config.usedBy.length > 0 ? config.usedBy.join(',') : '-',
      age(config.createdAt, now),
    ]),
  );
}

function parseScriptName(value: string): LifecycleScriptField {
  const field = (Object.keys(SCRIPT_NAMES) as LifecycleScriptField[]).find((key) => SCRIPT_NAMES[key] === value);
  if (!field) throw new InvalidArgumentError(m.get.badScript(value));
  return field;
}

/** `aiplat lifecycle-config create|update|list|get|delete`. */
export function registerLifecycleConfig(program: Command, ctx: CliContext): void {
  const lc = program.command('lifecycle-config').alias('lc').description(m.description).addHelpText('after', m.after);

  lc.command('create')
    .description(m.create.description)
    .argument('<name>', m.name)
    .option('--on-create <file>', m.onCreate)
    .option('--on-start <file>', m.onStart)
    .option('--description <text>', m.descriptionOption)
    .action(async (name: string, options: ScriptOptions, command: Command) => {
      const spec = await specFrom(ctx, name, options);
      const { client } = connect(ctx, command);
      const created = await client.createLifecycleConfig({ body: { spec } });
      ctx.out(`${m.done(created.spec.name, created.id, 'created')}\n`);
    });

  lc.command('update')
    .description(m.update.description)
    .argument('<config>', m.config)
    .option('--on-create <file>', m.onCreate)
    .option('--no-on-create', m.noOnCreate)
    .option('--on-start <file>', m.onStart)
    .option('--no-on-start', m.noOnStart)
    .option('--description <text>', m.descriptionOption)
    .action(async (idOrName: string, options: ScriptOptions, command: Command) => {
      const { client } = connect(ctx, command);
      const current = await find(client, idOrName);
      const spec = await specFrom(ctx, current.spec.name, options, current.spec);
      const updated = await client.updateLifecycleConfig({ params: { id: current.id }, body: { spec } });
      ctx.out(`${m.done(updated.spec.name, updated.id, 'updated')}\n`);
    });

  lc.command('list')
    .alias('ls')
    .description(m.list.description)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { lifecycleConfigs } = await connect(ctx, command).client.listLifecycleConfigs();
      if (options.output === 'json') ctx.out(toJson(lifecycleConfigs));
      else if (lifecycleConfigs.length === 0) ctx.out(`${m.list.empty}\n`);
      else ctx.out(configsTable(lifecycleConfigs, ctx.now()));
    });

  lc.command('get')
    .description(m.get.description)
    .argument('<config>', m.config)
    .option('--script <script>', m.get.script, parseScriptName)
    .addOption(outputOption(['json', 'yaml']))
    .action(
      async (
        idOrName: string,
        options: { script?: LifecycleScriptField; output?: 'json' | 'yaml' },
        command: Command,
      ) => {
        const config = await find(connect(ctx, command).client, idOrName);
        if (options.script) {
          const encoded = config.spec[options.script];
          if (encoded === undefined)
            throw new ApiError('not_found', m.get.noScript(config.spec.name, SCRIPT_NAMES[options.script]));
          ctx.out(decodeLifecycleScript(encoded));
        } else if (options.output === 'json') ctx.out(toJson(config));
        else ctx.out(toYamlText(config));
      },
    );

  lc.command('delete')
    .alias('rm')
    .description(m.delete.description)
    .argument('<config>', m.config)
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const { deleted } = await client.deleteLifecycleConfig({ params: { id } });
      ctx.out(`${m.deleted(deleted)}\n`);
    });
}
