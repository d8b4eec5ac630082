import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './config.js';
import { AssetCatalog } from './catalog/assetCatalog.js';
import { AssetCopies } from './catalog/assetCopies.js';
import { AssetImports, type JobLookup } from './catalog/assetImports.js';
import { AssetLayout } from './catalog/assetLayout.js';
import { AssetShares } from './catalog/assetShares.js';
import { AssetTasks } from './catalog/assetTasks.js';
import { createCatalogHandlers } from './catalog/catalogHandlers.js';
import { removeTree } from './catalog/treeMoves.js';
import type { EventPublisher } from './server/eventPublisher.js';
import type { Store } from './store/store.js';
import type { PathResolver } from './workspace/pathResolver.js';

/**
 * Datasets and models as managed assets, put together. Tasks live in memory, so what a backend
 * that stopped mid-task left behind is repaired at start: half-imported model versions fail,
 * copies to the fast storage that never finished are forgotten, staging folders go.
 */
export class CatalogPart {
  readonly layout: AssetLayout;
  private tasks?: AssetTasks;
  private copiesPart?: AssetCopies;

  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly resolver: PathResolver,
  ) {
    this.layout = new AssetLayout(resolver, config.catalog.fastStorageDir);
  }

  /** The folders the file API only reads (versions, accelerated copies). */
  static readOnlyFolders(config: Config) {
    return AssetLayout.readOnlyFolders(config.workRoot, config.catalog.fastStorageDir);
  }

  handlers(events: EventPublisher): ReturnType<typeof createCatalogHandlers> {
    const jobs: JobLookup = (id) => {
      const job = this.store.jobs.getJob(id);
      return job && { user: job.user, state: job.state, workingDir: job.spec.workingDir };
    };
    this.tasks = new AssetTasks(events);
    const catalog = new AssetCatalog({ store: this.store.assets, layout: this.layout, tasks: this.tasks });
    const shares = new AssetShares(catalog);
    const imports = new AssetImports({
      catalog,
      shares,
      resolver: this.resolver,
      jobs,
      limits: {
        extract: this.config.catalog.extract,
        download: this.config.catalog.download,
        maxUploadBytes: this.config.catalog.maxUploadBytes,
      },
    });
    this.copiesPart = new AssetCopies(catalog, this.resolver);
    return createCatalogHandlers({ catalog, imports, shares, copies: this.copiesPart });
  }

  /** Resolves jobs' `name@version` references (after `handlers`). */
  get copies(): AssetCopies {
    if (!this.copiesPart) throw new Error('the catalog handlers were not built');
    return this.copiesPart;
  }

  async repair(): Promise<void> {
    for (const record of this.store.assets.all()) {
      let changed = false;
      for (const version of record.versions) {
        if (version.state === 'importing') {
          version.state = 'failed';
          version.message = 'the backend stopped during the import: import again';
          delete version.taskId;
          changed = true;
        }
        if (version.accelerated && version.accelerated.state !== 'ready') {
          delete version.accelerated;
          changed = true;
        }
      }
      if (changed) this.store.assets.replace(record);
    }
    const home = path.join(this.config.workRoot, 'home');
    const users = await readdir(home).catch(() => [] as string[]);
    for (const user of users) await removeTree(path.join(home, user, '.catalog', '.staging'));
  }

  async close(): Promise<void> {
    await this.tasks?.close();
  }
}
