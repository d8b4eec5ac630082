import { InvalidArgumentError, type Command } from 'commander';
import {
  parseServiceVersionYaml,
  SERVICE_AUTH_KINDS,
  SERVICE_LIMITS,
  type ErrorIssue,
  type ServiceLimits,
  type UpdateServiceBody,
} from '@aiplat/api';
import { UsageError, type CliContext } from '../context.js';
import { serviceMessages } from '../serviceMessages.js';
import { waitForService, type WaitGoal } from './serviceWait.js';
import { connect, listOf, wholeNumber } from './shared.js';

const m = serviceMessages.update;

interface UpdateOptions {
  file?: string;
  replicas?: number;
  auth?: UpdateServiceBody['auth'];
  qps?: number;
  concurrency?: number;
  maxBodyBytes?: number;
  timeout?: number;
  /** A host; false for --no-domain. */
  domain?: string | false;
  tlsCert?: string;
  tlsKey?: string;
  wait?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0) || n > 100_000) throw new InvalidArgumentError(m.badQps(value));
  return n;
}

function fileErrors(file: string, errors: readonly ErrorIssue[]): never {
  throw new UsageError(serviceMessages.badFile(file, errors.map((e) => `  ${e.path}: ${e.message}`).join('\n')));
}

/** The limits as given on the command line over the service's current ones (the API replaces them whole). */
function changedLimits(current: ServiceLimits, options: UpdateOptions): ServiceLimits | undefined {
  const given: Partial<ServiceLimits> = {
    ...(options.qps !== undefined ? { qpsPerReplica: options.qps } : {}),
    ...(options.concurrency !== undefined ? { concurrencyPerReplica: options.concurrency } : {}),
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.timeout !== undefined ? { upstreamTimeoutSeconds: options.timeout } : {}),
  };
  return Object.keys(given).length > 0 ? { ...current, ...given } : undefined;
}

/**
 * `aiplat service update NAME`: a new version (-f version.yaml), the replica count, auth, limits
 * (those not named keep their values) or the domain and its TLS pair (--no-domain drops it).
 */
export function registerServiceUpdate(service: Command, ctx: CliContext): void {
  service
    .command('update')
    .description(m.description)
    .argument('<name>', serviceMessages.name)
    .option('-f, --file <version.yaml>', m.file)
    .option('--replicas <n>', m.replicas, wholeNumber(1, SERVICE_LIMITS.replicas, m.badReplicas))
    .option('--auth <kinds>', m.auth, listOf(SERVICE_AUTH_KINDS, m.badAuth))
    .option('--qps <n>', m.qps, positiveNumber)
    .option('--concurrency <n>', m.concurrency, wholeNumber(1, 10_000, m.badWhole('--concurrency', 10_000)))
    .option(
      '--max-body-bytes <n>',
      m.maxBodyBytes,
      wholeNumber(1, 1024 * 1024 * 1024, m.badWhole('--max-body-bytes', 1024 * 1024 * 1024)),
    )
    .option('--timeout <seconds>', m.timeout, wholeNumber(1, 3600, m.badWhole('--timeout', 3600)))
    .option('--domain <host>', m.domain)
    .option('--no-domain', m.noDomain)
    .option('--tls-cert <file>', m.tlsCert)
    .option('--tls-key <file>', m.tlsKey)
    .option('--wait', m.wait)
    .action(async (name: string, options: UpdateOptions, command: Command) => {
      if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) throw new UsageError(m.tlsPair);
      if (options.wait && !options.file && options.replicas === undefined) throw new UsageError(m.waitNeedsChange);
      if (options.tlsCert !== undefined && typeof options.domain !== 'string') throw new UsageError(m.tlsNeedsDomain);
      const conn = connect(ctx, command);
      const { client } = conn;
      let version: UpdateServiceBody['version'];
      if (options.file) {
        const parsed = parseServiceVersionYaml(await ctx.readJobFile(options.file));
        if ('errors' in parsed) fileErrors(options.file, parsed.errors);
        version = parsed.spec;
      }
      const needsCurrent = options.qps ?? options.concurrency ?? options.maxBodyBytes ?? options.timeout;
      const limits =
        needsCurrent !== undefined
          ? changedLimits((await client.getService({ params: { name } })).limits, options)
          : undefined;
      const domain =
        options.domain === false
          ? null
          : options.domain !== undefined
            ? {
                host: options.domain,
                ...(options.tlsCert !== undefined && options.tlsKey !== undefined
                  ? {
                      tls: {
                        certificate: await ctx.readJobFile(options.tlsCert),
                        privateKey: await ctx.readJobFile(options.tlsKey),
                      },
                    }
                  : {}),
              }
            : undefined;
      const body: UpdateServiceBody = {
        ...(version ? { version } : {}),
        ...(options.replicas !== undefined ? { replicas: options.replicas } : {}),
        ...(options.auth ? { auth: options.auth } : {}),
        ...(limits ? { limits } : {}),
        ...(domain !== undefined ? { domain } : {}),
      };
      if (Object.keys(body).length === 0) throw new UsageError(m.nothing);
      const updated = await client.updateService({ params: { name }, body });
      ctx.out(`${updated.name}: ${updated.state}\n`);
      if (!options.wait) return;
      const goal: WaitGoal = version
        ? { version: Math.max(...updated.versions.map((v) => v.version)) }
        : { replicas: options.replicas! };
      ctx.exitCode = await waitForService(ctx, conn, name, goal);
    });
}
