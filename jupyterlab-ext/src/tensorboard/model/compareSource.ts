import { jobSummaryDir, type ApiClient, type ScalarSource } from '@aiplat/api';

/** The source of one of the user's jobs: its summaries, labelled with its name. */
export function jobSource(job: { id: string; spec: { name: string; summaryDir?: string | undefined } }): ScalarSource {
  return { path: jobSummaryDir(job), label: job.spec.name, jobId: job.id };
}

/** A folder under /work as a source: `/work/home/runs` and `home/runs` alike, labelled by its path. */
export function folderSource(path: string): ScalarSource {
  const relative = path.replace(/^\/work(\/|$)/, '').replace(/^\/+|\/+$/g, '');
  return { path: relative, label: relative };
}

/**
 * What "Compare with" adds for the text typed: one of the user's jobs by id or name (the newest of
 * that name), else a folder under /work; a message when it is neither.
 */
export async function compareSource(client: ApiClient, text: string): Promise<ScalarSource | string> {
  const wanted = text.trim();
  const { jobs } = await client.listJobs({ query: { mine: true, limit: 500 } });
  const job = jobs.find((j) => j.id === wanted) ?? jobs.find((j) => j.spec.name === wanted);
  if (job) return jobSource(job);
  const source = folderSource(wanted);
  if (!/^(home|cache|mount)(\/|$)/.test(source.path)) {
    return `${wanted} is neither one of your jobs nor a folder under /work (home/..., cache/... or mount/...)`;
  }
  return source;
}
