import { InvalidArgumentError, type Command } from 'commander';
import { namespaceFor } from '../../engines/kubernetes/config.js';
import { manifestsYaml } from '../../engines/kubernetes/manifests/index.js';
import { kueueSetup } from '../../engines/kubernetes/manifests/kueue.js';
import { UsageError, type CliContext } from '../context.js';
import { cliUser, readKubernetesConfig } from '../kubernetesConfig.js';
import { messages } from '../messages.js';

interface SetupOptions {
  namespace?: string[];
  config?: string;
  user?: string;
  quota?: Record<string, string>;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function collectQuota(value: string, previous: Record<string, string> | undefined): Record<string, string> {
  const eq = value.indexOf('=');
  const name = value.slice(0, eq).trim();
  const quantity = value.slice(eq + 1).trim();
  if (eq === -1 || !name || !/^[0-9]+(\.[0-9]+)?([KMGTPE]i?|m|k)?$/.test(quantity)) {
    throw new InvalidArgumentError(messages.kubernetes.badQuota(value));
  }
  return { ...previous, [name]: quantity };
}

/** `aiplat kubernetes setup`: works offline, from the backend config file alone. */
export function registerKubernetes(program: Command, ctx: CliContext): void {
  const m = messages.kubernetes;
  const group = program.command('kubernetes').description(m.description);
  group
    .command('setup')
    .description(m.setupDescription)
    .option('--namespace <namespace>', m.namespace, collect)
    .option('--config <file>', m.config)
    .option('--user <name>', m.user)
    .option('--quota <name=quantity>', m.quota, collectQuota)
    .addHelpText('after', m.setupAfter)
    .showHelpAfterError(messages.errors.usageHint('aiplat kubernetes setup'))
    .action((options: SetupOptions) => {
      const config = readKubernetesConfig(ctx, options.config);
      const namespaces = options.namespace ?? [namespaceFor(config, cliUser(ctx, options.user))];
      let objects;
      try {
        objects = kueueSetup(config, { namespaces, ...(options.quota ? { quotas: options.quota } : {}) });
      } catch (error) {
        throw new UsageError(m.cannotSetUp((error as Error).message));
      }
      ctx.out(manifestsYaml(objects));
    });
}
