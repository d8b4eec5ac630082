import type { JobLogsResponse, ServiceLogsQuery } from '@aiplat/api';
import { JobLogFollows } from '../jobs/jobLogFollows.js';
import { readJobLogs, type LogSource } from '../jobs/jobLogs.js';
import type { StreamOpener } from '../server/eventHub.js';
import type { ServiceService } from './serviceService.js';
import type { ServiceRecord } from './serviceStore.js';

/**
 * A service's replica logs through the job log machinery: each replica of a version is an
 * "instance" (its index), read a page at a time with search, or followed on `service-logs/<name>`.
 */
export class ServiceLogs {
  private readonly follows = new JobLogFollows();

  constructor(private readonly core: ServiceService) {}

  read(name: string, owner: string, query: ServiceLogsQuery): Promise<JobLogsResponse> {
    const record = this.core.owned(name, owner);
    return readJobLogs(this.sources(record, query.version ?? record.version), query);
  }

  opener(): StreamOpener<'service-logs'> {
    return (subscription) => {
      const record = this.core.owned(subscription.id, subscription.user.name);
      return this.follows.follow(
        record.name,
        this.sources(record, record.version),
        subscription.cursor,
        { send: subscription.send, sendEncoded: subscription.sendEncoded },
        false,
      );
    };
  }

  close(): void {
    this.follows.close();
  }

  private sources(record: ServiceRecord, version: number): LogSource[] {
    const engine = this.core.engineFor(record);
    const spec = record.versions.find((v) => v.version === version)?.spec;
    if (!engine || !spec) return [];
    const sources: LogSource[] = [];
    for (let index = 0; index < spec.replicas; index++) {
      const file = engine.logFile(record.name, version, index);
      if (file) sources.push({ index, file });
    }
    return sources;
  }
}
