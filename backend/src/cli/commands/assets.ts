import type { Command } from 'commander';
import { Option } from 'commander';
import {
  ANNOTATION_TYPES,
  ASSET_KINDS,
  DATASET_DATA_TYPES,
  formatBytes,
  type AnnotationType,
  type AssetKind,
  type DatasetDataType,
} from '@aiplat/api';
import { assetMessagesFor, type AssetMessages } from '../assetMessages.js';
import { UsageError, type CliContext, type Connection, type GlobalOptions } from '../context.js';
import { toJson } from '../format.js';
import { registerAssetCopies } from './assetCopies.js';
import { registerAssetImport } from './assetImport.js';
import {
  assetsTable,
  describeAsset,
  findAsset,
  jsonOutput,
  parseRef,
  tasksTable,
  versionsTable,
} from './assetLookup.js';
import { registerAssetShares } from './assetShares.js';

/** The command group of each kind: `aiplat dataset …`, `aiplat model …`. */
const GROUP_NAMES: Readonly<Record<AssetKind, { name: string; alias: string }>> = {
  datasets: { name: 'dataset', alias: 'datasets' },
  models: { name: 'model', alias: 'models' },
};

interface CreateOptions {
  description?: string;
  dataType?: DatasetDataType;
  annotationType?: AnnotationType;
}

/** `aiplat dataset|model create|list|get|delete|publish|versions|delete-version|tasks|cancel`, and the rest. */
function registerKind(program: Command, ctx: CliContext, m: AssetMessages, kind: AssetKind): void {
  const names = GROUP_NAMES[kind];
  const group = program
    .command(names.name)
    .alias(names.alias)
    .description(m.description(kind))
    .addHelpText('after', m.after(kind));
  const connect = (command: Command): Connection => ctx.connect(command.optsWithGlobals<GlobalOptions>());

  const create = group
    .command('create')
    .description(m.create.description(kind))
    .argument('<name>', m.name(kind))
    .option('--description <text>', m.create.descriptionOption);
  if (kind === 'datasets') {
    create
      .addOption(new Option('--data-type <type>', m.create.dataType).choices(DATASET_DATA_TYPES))
      .addOption(new Option('--annotation-type <type>', m.create.annotationType).choices(ANNOTATION_TYPES));
  }
  create.action(async (name: string, options: CreateOptions, command: Command) => {
    const created = await connect(command).client.createAsset({
      params: { kind },
      body: {
        name,
        ...(options.description !== undefined ? { description: options.description } : {}),
        ...(options.dataType !== undefined ? { dataType: options.dataType } : {}),
        ...(options.annotationType !== undefined ? { annotationType: options.annotationType } : {}),
      },
    });
    ctx.out(`${m.create.done(created.name, created.id)}\n`);
  });

  group
    .command('list')
    .alias('ls')
    .description(m.list.description(kind))
    .addOption(jsonOutput(m))
    .action(async (options: { output?: 'json' }, command: Command) => {
      const { items } = await connect(command).client.listAssets({ params: { kind } });
      if (options.output === 'json') ctx.out(toJson(items));
      else ctx.out(items.length === 0 ? `${m.list.empty(kind)}\n` : assetsTable(m, kind, items, ctx.now()));
    });

  group
    .command('get')
    .description(m.get.description(kind))
    .argument('<name>', m.name(kind))
    .addOption(jsonOutput(m))
    .action(async (name: string, options: { output?: 'json' }, command: Command) => {
      const asset = await findAsset(connect(command).client, m, kind, name);
      ctx.out(options.output === 'json' ? toJson(asset) : describeAsset(m, asset, ctx.now()));
    });

  group
    .command('delete')
    .alias('rm')
    .description(m.delete.description(kind))
    .argument('<name>', m.name(kind))
    .option('-y, --yes', m.delete.yes)
    .action(async (name: string, options: { yes?: boolean }, command: Command) => {
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      // Someone else's shared asset is only taken off the list: nothing is lost, so no question.
      if (!options.yes && !asset.readOnly) throw new UsageError(m.delete.confirm(asset.name, asset.versions.length));
      await client.deleteAsset({ params: { kind, id: asset.id } });
      ctx.out(`${m.delete.done(asset.name)}\n`);
    });

  registerAssetImport(group, ctx, m, kind, connect);

  if (kind === 'datasets') {
    group
      .command('publish')
      .description(m.publish.description)
      .argument('<name>', m.name(kind))
      .option('--description <text>', m.publish.descriptionOption)
      .action(async (name: string, options: { description?: string }, command: Command) => {
        const { client } = connect(command);
        const asset = await findAsset(client, m, kind, name);
        const version = await client.publishVersion({
          params: { kind, id: asset.id },
          body: options.description !== undefined ? { description: options.description } : {},
        });
        ctx.out(`${m.publish.done(asset.name, version.version, version.fileCount, formatBytes(version.sizeBytes))}\n`);
      });
  }

  group
    .command('versions')
    .description(m.versions.description(kind))
    .argument('<name>', m.name(kind))
    .addOption(jsonOutput(m))
    .action(async (name: string, options: { output?: 'json' }, command: Command) => {
      const asset = await findAsset(connect(command).client, m, kind, name);
      if (options.output === 'json') ctx.out(toJson(asset.versions));
      else
        ctx.out(
          asset.versions.length === 0
            ? `${m.versions.empty(asset.name)}\n`
            : versionsTable(m, asset.versions, ctx.now()),
        );
    });

  group
    .command('delete-version')
    .description(m.deleteVersion.description)
    .argument('<ref>', m.ref(kind))
    .action(async (ref: string, _options: unknown, command: Command) => {
      const { name, version } = parseRef(m, ref, true);
      const { client } = connect(command);
      const asset = await findAsset(client, m, kind, name);
      await client.deleteVersion({ params: { kind, id: asset.id, version: version! } });
      ctx.out(`${m.deleteVersion.done(`${asset.name}@${version}`)}\n`);
    });

  registerAssetShares(group, ctx, m, kind, connect);
  registerAssetCopies(group, ctx, m, kind, connect);

  group
    .command('tasks')
    .description(m.tasks.description(kind))
    .argument('[name]', m.name(kind))
    .addOption(jsonOutput(m))
    .action(async (name: string | undefined, options: { output?: 'json' }, command: Command) => {
      const { client } = connect(command);
      const assetId = name === undefined ? undefined : (await findAsset(client, m, kind, name)).id;
      const { items } = await client.listAssetTasks({ query: assetId ? { assetId } : {} });
      const ofKind = items.filter((task) => task.kind === kind);
      if (options.output === 'json') ctx.out(toJson(ofKind));
      else ctx.out(ofKind.length === 0 ? `${m.tasks.empty}\n` : tasksTable(m, ofKind, ctx.now()));
    });

  group
    .command('cancel')
    .description(m.cancel.description)
    .argument('<task>', m.cancel.task)
    .action(async (taskId: string, _options: unknown, command: Command) => {
      const task = await connect(command).client.cancelAssetTask({ params: { taskId } });
      ctx.out(`${task.id}: ${task.state}\n`);
    });
}

/** `aiplat dataset …` and `aiplat model …`: one set of commands, for each kind. */
export function registerAssets(program: Command, ctx: CliContext): void {
  const m = assetMessagesFor(ctx.deps.env);
  for (const kind of ASSET_KINDS) registerKind(program, ctx, m, kind);
}
