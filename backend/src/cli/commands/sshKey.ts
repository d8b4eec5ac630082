import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { ApiError, parseSshPublicKey, type ApiClient, type SshKey } from '@aiplat/api';
import { accessMessages } from '../accessMessages.js';
import { UsageError, type CliContext } from '../context.js';
import { age, table, toJson } from '../format.js';
import { homeDir, readCliFile } from './files.js';
import { connect, outputOption } from './shared.js';

const m = accessMessages.sshKey;

/** The public keys `ssh-key add` looks for when given none, in order (as ssh-keygen names them). */
export const DEFAULT_PUBLIC_KEYS = ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'] as const;

/**
 * A public key line read from `file`, checked by the contract's own rule (a private key, a DSA or
 * short RSA key is refused here, before anything is sent).
 */
export async function readPublicKey(ctx: CliContext, file: string): Promise<string> {
  const text = (await readCliFile(ctx, file)).trim();
  const parsed = parseSshPublicKey(text);
  if (typeof parsed === 'string') throw new ApiError('validation_failed', m.add.badKey(file, parsed));
  return text;
}

/** The key `ssh-key add` sends: --key, -f, or the first default key file found. */
async function keyToAdd(ctx: CliContext, options: { file?: string; key?: string }): Promise<string> {
  if (options.file !== undefined && options.key !== undefined) throw new UsageError(m.add.both);
  if (options.key !== undefined) {
    const parsed = parseSshPublicKey(options.key);
    if (typeof parsed === 'string') throw new ApiError('validation_failed', m.add.badKey('--key', parsed));
    return options.key.trim();
  }
  if (options.file !== undefined) return readPublicKey(ctx, options.file);
  for (const name of DEFAULT_PUBLIC_KEYS) {
    const file = path.join(homeDir(ctx), '.ssh', name);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    ctx.info(m.add.from(file));
    return readPublicKey(ctx, file);
  }
  throw new UsageError(m.add.noDefault(homeDir(ctx)));
}

/** One of the user's SSH keys by id or name. */
async function find(client: ApiClient, idOrName: string): Promise<SshKey> {
  const { sshKeys } = await client.listSshKeys();
  const found = sshKeys.find((key) => key.id === idOrName || key.name === idOrName);
  if (!found) throw new ApiError('not_found', m.noSuch(idOrName));
  return found;
}

function keysTable(keys: readonly SshKey[], now: Date): string {
  const h = m.header;
  return table(
    [h.name, h.id, h.type, h.bits, h.fingerprint, h.age],
    keys.map((key) => [key.name, key.id, key.type, String(key.bits), key.fingerprint, age(key.addedAt, now)]),
  );
}

/** `aiplat ssh-key add|list|remove`. */
export function registerSshKey(program: Command, ctx: CliContext): void {
  const sshKey = program.command('ssh-key').description(m.description).addHelpText('after', m.after);

  sshKey
    .command('add')
    .description(m.add.description)
    .argument('<name>', m.add.name)
    .option('-f, --file <file>', m.add.file)
    .option('--key <text>', m.add.key)
    .action(async (name: string, options: { file?: string; key?: string }, command: Command) => {
      const publicKey = await keyToAdd(ctx, options);
      const added = await connect(ctx, command).client.addSshKey({ body: { name, publicKey } });
      ctx.out(`${m.add.done(added.name, added.id, added.type, added.fingerprint)}\n`);
    });

  sshKey
    .command('list')
    .alias('ls')
    .description(m.list.description)
    .addOption(outputOption(['json']))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { sshKeys } = await connect(ctx, command).client.listSshKeys();
      if (options.output === 'json') ctx.out(toJson(sshKeys));
      else if (sshKeys.length === 0) ctx.out(`${m.list.empty}\n`);
      else ctx.out(keysTable(sshKeys, ctx.now()));
    });

  sshKey
    .command('remove')
    .aliases(['rm', 'delete'])
    .description(m.remove.description)
    .argument('<key>', m.key)
    .action(async (idOrName: string, _options: unknown, command: Command) => {
      const { client } = connect(ctx, command);
      const { id } = await find(client, idOrName);
      const { deleted } = await client.deleteSshKey({ params: { id } });
      ctx.out(`${m.removed(deleted)}\n`);
    });
}
