import type { JobLogsQuery, JobLogsResponse } from '@aiplat/api';
import { JobLogFollows } from '../jobs/jobLogFollows.js';
import { readJobLogs, type LogSource } from '../jobs/jobLogs.js';
import type { StreamOpener } from '../server/eventHub.js';
import type { DevMachineService } from './devMachineService.js';

/**
 * A dev machine's lifecycle script output through the job log machinery: one log (instance 0) kept
 * across starts, read a page at a time with search, or followed on `devmachine-logs/<id>`.
 */
export class DevMachineLogs {
  private readonly follows = new JobLogFollows();

  constructor(private readonly machines: DevMachineService) {}

  read(id: string, owner: string, query: JobLogsQuery): Promise<JobLogsResponse> {
    this.machines.get(id, owner);
    return readJobLogs(this.sources(id), query);
  }

  opener(): StreamOpener<'devmachine-logs'> {
    return (subscription) => {
      this.machines.get(subscription.id, subscription.user.name);
      return this.follows.follow(
        subscription.id,
        this.sources(subscription.id),
        subscription.cursor,
        { send: subscription.send, sendEncoded: subscription.sendEncoded },
        false,
      );
    };
  }

  close(): void {
    this.follows.close();
  }

  private sources(id: string): LogSource[] {
    const file = this.machines.logFile(id);
    return file ? [{ index: 0, file }] : [];
  }
}
