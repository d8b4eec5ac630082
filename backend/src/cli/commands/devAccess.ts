import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import {
  ApiError,
  DEV_MACHINE_MAX_REPOSITORIES,
  GitRepositorySchema,
  gitUrlProblem,
  JOB_NAME_PATTERN,
  type ApiClient,
  type DevMachine,
  type DevMachineSpecInput,
  type DevMachineSsh,
  type GitRepository,
} from '@aiplat/api';
import { accessMessages } from '../accessMessages.js';
import { UsageError, type CliContext } from '../context.js';
import { readPublicKey } from './sshKey.js';
import { connect } from './shared.js';

const m = accessMessages.dev;

/** What `dev create` takes for SSH and repositories. */
export interface AccessOptions {
  ssh?: boolean;
  /** Undefined when not given (a default would show in the help). */
  sshKey?: string[];
  repo?: GitRepository[];
}

/** `@NAME` at the end of a --repo value: a credential (names hold no `.`, `:` or `/`, so a URL's `git@host:…` is not one). */
const CREDENTIAL_SUFFIX = new RegExp(`@(${JOB_NAME_PATTERN.source.slice(1, -1)})$`, 'u');

/**
 * A --repo value, `URL[#BRANCH][@CREDENTIAL]`, as the contract's repository: checked by its own
 * rules (the URL's transport, no password in it, the branch's form).
 */
export function parseRepo(value: string): GitRepository {
  let rest = value.trim();
  const credential = CREDENTIAL_SUFFIX.exec(rest)?.[1];
  if (credential !== undefined) rest = rest.slice(0, -credential.length - 1);
  const hash = rest.lastIndexOf('#');
  const url = hash >= 0 ? rest.slice(0, hash) : rest;
  const branch = hash >= 0 ? rest.slice(hash + 1) : undefined;
  const problem = gitUrlProblem(url);
  if (problem) throw new InvalidArgumentError(m.badRepo(value, problem));
  const repository = {
    url,
    ...(branch !== undefined ? { branch } : {}),
    ...(credential !== undefined ? { credential } : {}),
  };
  const parsed = GitRepositorySchema.safeParse(repository);
  if (!parsed.success) {
    throw new InvalidArgumentError(m.badRepo(value, parsed.error.issues.map((i) => i.message).join('; ')));
  }
  return repository;
}

/** Adds `--ssh`, `--ssh-key FILE…` and `--repo URL…` to `dev create`. */
export function addAccessOptions(command: Command): Command {
  return command
    .option('--ssh', m.ssh)
    .option('--ssh-key <file>', m.sshKey, (file: string, files: string[] = []) => [...files, file])
    .option('--repo <url>', m.repo, (value: string, repositories: GitRepository[] = []) => {
      if (repositories.length >= DEV_MACHINE_MAX_REPOSITORIES) throw new InvalidArgumentError(m.tooManyRepos);
      return [...repositories, parseRepo(value)];
    });
}

/** The spec's `ssh` and `repositories` the options ask for (the public key files read and checked). */
export async function accessSpec(
  ctx: CliContext,
  options: AccessOptions,
): Promise<Pick<DevMachineSpecInput, 'ssh' | 'repositories'>> {
  const files = options.sshKey ?? [];
  const repositories = options.repo ?? [];
  if (files.length > 0 && !options.ssh) throw new UsageError(m.sshKeyNeedsSsh);
  const publicKeys: string[] = [];
  for (const file of files) publicKeys.push(await readPublicKey(ctx, file));
  return {
    ...(options.ssh ? { ssh: { enabled: true, ...(publicKeys.length > 0 ? { publicKeys } : {}) } } : {}),
    ...(repositories.length > 0 ? { repositories } : {}),
  };
}

/** The argv of the ssh command of a machine (no `-p` for port 22, like the printed command). */
export function sshArgv(ssh: Pick<DevMachineSsh, 'user' | 'host' | 'port'>): string[] {
  const target = `${ssh.user}@${ssh.host}`;
  return ssh.port === 22 ? ['ssh', target] : ['ssh', '-p', String(ssh.port), target];
}

/** Runs a program with the terminal handed over; resolves with its exit code. */
function runInTerminal(argv: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** How to reach a machine with SSH, or an error saying why it cannot be reached now. */
export function machineSsh(machine: DevMachine): DevMachineSsh {
  const name = machine.spec.name;
  if (!machine.spec.ssh?.enabled) throw new ApiError('conflict', m.sshCommand.notEnabled(name));
  if (machine.state !== 'Running') throw new ApiError('conflict', m.sshCommand.notRunning(name, machine.state));
  if (!machine.ssh) throw new ApiError('conflict', m.sshCommand.notReady(name));
  return machine.ssh;
}

/** `aiplat dev ssh NAME [--exec]`. */
export function registerDevSsh(
  dev: Command,
  ctx: CliContext,
  find: (client: ApiClient, idOrName: string) => Promise<DevMachine>,
  machineHelp: string,
): void {
  dev
    .command('ssh')
    .description(m.sshCommand.description)
    .argument('<machine>', machineHelp)
    .option('--exec', m.sshCommand.exec)
    .action(async (idOrName: string, options: { exec?: boolean }, command: Command) => {
      const { client } = connect(ctx, command);
      const ssh = machineSsh(await find(client, idOrName));
      ctx.info(m.sshCommand.hostKey(ssh.hostKeyType, ssh.hostKeyFingerprint));
      if (!options.exec) {
        ctx.out(`${ssh.command}\n`);
        return;
      }
      const argv = sshArgv(ssh);
      ctx.info(m.sshCommand.running(argv.join(' ')));
      try {
        ctx.exitCode = await (ctx.deps.runInTerminal ?? runInTerminal)(argv);
      } catch (error) {
        throw new ApiError('unavailable', m.sshCommand.cannotRun((error as Error).message));
      }
    });
}
