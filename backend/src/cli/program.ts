import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { API_VERSION } from '@aiplat/api';
import { registerDev } from './commands/dev.js';
import { registerEnv } from './commands/env.js';
import { registerGitCredential } from './commands/gitCredential.js';
import { registerSshKey } from './commands/sshKey.js';
import { registerEvents } from './commands/events.js';
import { registerGet } from './commands/get.js';
import { registerJobActions } from './commands/jobActions.js';
import { registerKubernetes } from './commands/kubernetes.js';
import { registerLifecycleConfig } from './commands/lifecycleConfig.js';
import { registerList } from './commands/list.js';
import { registerLogs } from './commands/logs.js';
import { registerSubmit } from './commands/submit.js';
import { registerTensorBoard } from './commands/tensorboard.js';
import { registerServices } from './commands/service.js';
import { registerAppKeys } from './commands/appkey.js';
import { registerAssets } from './commands/assets.js';
import { CliContext, reportError, type CliDeps } from './context.js';
import { messages } from './messages.js';

export type { CliDeps, TextSink } from './context.js';

function cliVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return `${pkg.version ?? 'unknown'} (API ${API_VERSION})`;
  } catch {
    return `unknown (API ${API_VERSION})`;
  }
}

/** The `aiplat` program over `ctx`; commands record their exit code in `ctx.exitCode`. */
export function buildProgram(ctx: CliContext): Command {
  const m = messages.program;
  const program = new Command('aiplat');
  // Set before adding commands: `.command()` copies these settings into each subcommand.
  program
    .description(m.description)
    .configureOutput({
      writeOut: (text) => ctx.deps.stdout.write(text),
      writeErr: (text) => ctx.deps.stderr.write(text),
    })
    .exitOverride()
    .showHelpAfterError(messages.errors.usageHint('aiplat'))
    .option('--server <url>', m.server)
    .option('--token <token>', m.token)
    .version(cliVersion(), '-V, --version', m.version)
    .helpCommand('help [command]', m.help)
    .addHelpText('after', m.after);
  program.hook('preAction', (_program, action) => {
    const names: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) names.unshift(c.name());
    ctx.commandName = ['aiplat', ...names].join(' ');
  });

  registerSubmit(program, ctx);
  registerList(program, ctx);
  registerGet(program, ctx);
  registerLogs(program, ctx);
  registerEvents(program, ctx);
  registerEnv(program, ctx);
  registerJobActions(program, ctx);
  registerKubernetes(program, ctx);
  registerDev(program, ctx);
  registerLifecycleConfig(program, ctx);
  registerSshKey(program, ctx);
  registerGitCredential(program, ctx);
  registerTensorBoard(program, ctx);
  registerServices(program, ctx);
  registerAppKeys(program, ctx);
  registerAssets(program, ctx);
  for (const command of program.commands) {
    command.showHelpAfterError(messages.errors.usageHint(`aiplat ${command.name()}`));
  }
  return program;
}

/**
 * `--version V` after a command that has its own `--version` (`aiplat service logs NAME --version
 * 2`) is that command's. commander gives the program every `--version` it meets, wherever it is
 * (and prints the CLI's version), but leaves `--version=V` to the command: the arguments are
 * rewritten so (a missing V too, so that the command says what it wants).
 */
export function commandsOwnVersion(program: Command, argv: readonly string[]): string[] {
  const args = [...argv];
  let command = program;
  for (let i = 0; i < args.length && args[i] !== '--'; i++) {
    const sub = command.commands.find((c) => c.name() === args[i] || c.aliases().includes(args[i]!));
    if (sub) command = sub;
    else if (args[i] === '--version' && command !== program && command.options.some((o) => o.long === '--version')) {
      args.splice(i, 2, `--version=${args[i + 1] ?? ''}`);
    }
  }
  return args;
}

/**
 * Runs `aiplat` with `argv` (the arguments after the program name) and returns the exit code: 0
 * success; 1 an error, or a job that failed or was stopped under `submit --wait`; 2 a usage error.
 * Nothing here exits the process or prints a stack trace.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const ctx = new CliContext(deps);
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(commandsOwnVersion(program, argv), { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version exit 0; anything commander rejects is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    return reportError(error, ctx);
  }
}
