import type Database from 'better-sqlite3';
import { TERMINAL_JOB_STATES, type JobEvent } from '@aiplat/api';
import type { InstanceRecord, JobListFilter, JobPatch, JobRecord, JobStore } from '../jobs/jobStore.js';
import { withoutUndefined } from './withoutUndefined.js';

function encodeCursor(seq: number): string {
  return Buffer.from(String(seq)).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const seq = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError('cursor is not one this server gave out');
  return seq;
}

export class SqliteJobStore implements JobStore {
  constructor(private readonly db: Database.Database) {}

  insertJob(job: JobRecord): void {
    this.db
      .prepare('INSERT INTO jobs (id, user, state, data) VALUES (?, ?, ?, ?)')
      .run(job.id, job.user, job.state, JSON.stringify(withoutUndefined(job)));
  }

  updateJob(id: string, patch: JobPatch): JobRecord {
    return this.db.transaction(() => {
      const current = this.getJob(id);
      if (!current) throw new RangeError(`no job ${id}`);
      const next = withoutUndefined({ ...current, ...patch });
      this.db.prepare('UPDATE jobs SET state = ?, data = ? WHERE id = ?').run(next.state, JSON.stringify(next), id);
      return next;
    })();
  }

  getJob(id: string): JobRecord | undefined {
    const row = this.db.prepare('SELECT data FROM jobs WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as JobRecord) : undefined;
  }

  listJobs(filter: JobListFilter): { jobs: JobRecord[]; nextCursor?: string } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states && filter.states.length > 0) {
      where.push(`state IN (${filter.states.map(() => '?').join(', ')})`);
      args.push(...filter.states);
    }
    if (filter.user !== undefined) {
      where.push('user = ?');
      args.push(filter.user);
    }
    if (filter.tag) {
      where.push(
        filter.tag.value === undefined
          ? `EXISTS (SELECT 1 FROM json_each(data, '$.spec.tags') WHERE key = ?)`
          : `EXISTS (SELECT 1 FROM json_each(data, '$.spec.tags') WHERE key = ? AND value = ?)`,
      );
      args.push(filter.tag.key, ...(filter.tag.value === undefined ? [] : [filter.tag.value]));
    }
    if (filter.cursor !== undefined) {
      where.push('seq < ?');
      args.push(decodeCursor(filter.cursor));
    }
    const sql = `SELECT seq, data FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, filter.limit + 1) as { seq: number; data: string }[];
    const page = rows.slice(0, filter.limit);
    const last = page[page.length - 1];
    return {
      jobs: page.map((r) => JSON.parse(r.data) as JobRecord),
      ...(rows.length > filter.limit && last ? { nextCursor: encodeCursor(last.seq) } : {}),
    };
  }

  activeJobs(): JobRecord[] {
    const rows = this.db
      .prepare(
        `SELECT data FROM jobs WHERE state NOT IN (${TERMINAL_JOB_STATES.map(() => '?').join(', ')}) ORDER BY seq`,
      )
      .all(...TERMINAL_JOB_STATES) as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as JobRecord);
  }

  deleteJob(id: string): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }

  replaceInstances(jobId: string, instances: readonly InstanceRecord[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM job_instances WHERE job_id = ?').run(jobId);
      const insert = this.db.prepare('INSERT INTO job_instances (job_id, idx, data) VALUES (?, ?, ?)');
      for (const instance of instances) insert.run(jobId, instance.index, JSON.stringify(withoutUndefined(instance)));
    })();
  }

  updateInstance(jobId: string, index: number, patch: Partial<Omit<InstanceRecord, 'jobId' | 'index'>>): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT data FROM job_instances WHERE job_id = ? AND idx = ?').get(jobId, index) as
        { data: string } | undefined;
      if (!row) throw new RangeError(`no instance ${index} of job ${jobId}`);
      const next = withoutUndefined({ ...(JSON.parse(row.data) as InstanceRecord), ...patch });
      this.db
        .prepare('UPDATE job_instances SET data = ? WHERE job_id = ? AND idx = ?')
        .run(JSON.stringify(next), jobId, index);
    })();
  }

  listInstances(jobId: string): InstanceRecord[] {
    const rows = this.db.prepare('SELECT data FROM job_instances WHERE job_id = ? ORDER BY idx').all(jobId) as {
      data: string;
    }[];
    return rows.map((r) => JSON.parse(r.data) as InstanceRecord);
  }

  appendEvent(jobId: string, event: JobEvent): void {
    this.db.prepare('INSERT INTO job_events (job_id, data) VALUES (?, ?)').run(jobId, JSON.stringify(event));
  }

  listEvents(jobId: string, after: number, limit: number): { events: JobEvent[]; total: number } {
    const total = (this.db.prepare('SELECT COUNT(*) AS n FROM job_events WHERE job_id = ?').get(jobId) as { n: number })
      .n;
    const rows = this.db
      .prepare('SELECT data FROM job_events WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?')
      .all(jobId, limit, after) as { data: string }[];
    return { events: rows.map((r) => JSON.parse(r.data) as JobEvent), total };
  }
}
