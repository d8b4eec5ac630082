import type { Command } from 'commander';
import { ApiError, type ApiClient, type GitCredential, type GitCredentialBody } from '@aiplat/api';
import { accessMessages } from '../accessMessages.js';
import { UsageError, type CliContext } from '../context.js';
import { age, table, toJson } from '../format.js';
import { readCliFile } from './files.js';
import { connect, outputOption } from './shared.js';

const m = accessMessages.gitCredential;

interface CreateOptions {
  username?: string;
  tokenStdin?: boolean;
  tokenEnv?: string;
  sshKey?: string;
}

/** A token as read from stdin or a variable: its first line, without the newline `echo` adds. */
function tokenOf(text: string | undefined, from: string): string {
  const token = (text ?? '').split(/\r?\n/)[0]?.trim() ?? '';
  if (token === '') throw new UsageError(m.create.emptyToken(from));
  return token;
}

/**
 * The body `git-credential create` sends. The secret never comes from a flag's value (it would land
 * in shell history and `ps`): standard input, an environment variable, or a private key file.
 */
async function credentialBody(ctx: CliContext, name: string, options: CreateOptions): Promise<GitCredentialBody> {
  const given = [options.tokenStdin === true, options.tokenEnv !== undefined, options.sshKey !== undefined];
  if (given.filter(Boolean).length !== 1) throw new UsageError(m.create.oneKind);
  if (options.sshKey !== undefined) {
    if (options.username !== undefined) throw new UsageError(m.create.usernameWithKey);
    return { kind: 'ssh-key', name, privateKey: await readCliFile(ctx, options.sshKey) };
  }
  if (options.username === undefined) throw new UsageError(m.create.noUsername);
  let token: string;
  if (options.tokenEnv !== undefined) {
    token = tokenOf(ctx.deps.env[options.tokenEnv], `$${options.tokenEnv}`);
  } else {
    if (!ctx.deps.readStdin) throw new UsageError(m.create.noStdin);
    token = tokenOf(await ctx.deps.readStdin(), m.create.stdin);
  }
  return { kind: 'token', name, username: options.username, token };
}

/** One of the user's Git credentials by id or name. */
async function find(client: ApiClient, idOrName: string): Promise<GitCredential> {
  const { gitCredentials } = await client.listGitCredentials();
  const found = gitCredentials.find((credential) => credential.id === idOrName || credential.name === idOrName);
  if (!found) throw new ApiError('not_found', m.noSuch(idOrName));
  return found;
}

function credentialsTable(credentials: readonly GitCredential[], now: Date): string {
  const h = m.header;
  return table(
    [h.name, h.id, h.kind, h.username, h.usedBy, h.age],
    credentials.map((credential) => [
      credential.name,
      credential.id,
      credential.kind,
      credential.username ?? '-',
      credential.usedBy.length > 0 ? credential.usedBy.join(',') : '-',
      age(credential.createdAt, now),
    ]),
  );
}

/** `aiplat git-credential create|list|delete`. */
export function registerGitCredential(program: Command, ctx: CliContext): void {
  const gc = program.command('git-credential').description(m.description).addHelpText('after', m.after);

  gc.command('create')
    .description(m.create.description)
    .argument('<name>', m.create.name)
    .option('--username <user>', m.create.username)
    .option('--token-stdin', m.create.tokenStdin)
    .option('--token-env <var>', m.create.tokenEnv)
    .option('--ssh-key <file>', m.create.sshKey)
    .action(async (name: string, options: CreateOptions, command: Command) => {
      const body = await credentialBody(ctx, name, options);
      const created = await connect(ctx, command).client.createGitCredential({ body });
      ctx.out(`${m.create.done(created.name, created.id, created.kind)}\n`);
    });

  gc.command('list')
    .alias('ls')
    .description(m.list.description)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { gitCredentials } = await connect(ctx, command).client.listGitCredentials();
      if (options.output === 'json') ctx.out(toJson(gitCredentials));
      else if (gitCredentials.length === 0) ctx.out(`${m.list.empty}\n`);
      else ctx.out(credentialsTable(gitCredentials, ctx.now()));
    });

  gc.command('delete')
    .alias('rm')
    .description(m.delete.description)
    .argument('<credential>', m.credential)
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const { deleted } = await client.deleteGitCredential({ params: { id } });
      ctx.out(`${m.deleted(deleted)}\n`);
    });
}
