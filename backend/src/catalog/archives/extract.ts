import { lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { ExtractBudget, type ExtractLimits, type ExtractProgress } from './budget.js';
import { abortReason } from './refusal.js';
import { readTar } from './tarReader.js';
import { TargetWriter } from './targetWriter.js';
import { readZip } from './zipReader.js';

export type { ExtractLimits, ExtractProgress } from './budget.js';
export { ArchiveRefused } from './refusal.js';

export type ArchiveFormat = 'zip' | 'tar' | 'tar.gz';

/** The format a file name says, by its extension (.zip, .tar, .tar.gz, .tgz; any case). */
export function archiveFormatOf(fileName: string): ArchiveFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.zip')) return 'zip';
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  if (lower.endsWith('.tar')) return 'tar';
  return undefined;
}

export interface ExtractOptions {
  archivePath: string;
  format: ArchiveFormat;
  /** Must not exist yet, or be an empty folder; removed again if the extraction does not complete. */
  targetDir: string;
  limits: ExtractLimits;
  signal?: AbortSignal;
  onProgress?: (progress: ExtractProgress) => void;
}

export interface ExtractResult {
  files: number;
  dirs: number;
  bytes: number;
}

/**
 * Extracts an archive's regular files and folders into `targetDir`, refusing (ArchiveRefused) links,
 * devices, paths that leave the target and archives over the limits. All or nothing: on any refusal,
 * error or abort, the target is removed before the promise rejects.
 */
export async function extractArchive(options: ExtractOptions): Promise<ExtractResult> {
  const { archivePath, format, targetDir, limits, signal, onProgress } = options;
  if (signal?.aborted) throw abortReason(signal);
  const archiveBytes = (await stat(archivePath)).size;
  await prepareTarget(targetDir);
  const budget = new ExtractBudget(limits, archiveBytes, signal, onProgress);
  const writer = new TargetWriter(targetDir, budget);
  try {
    try {
      if (format === 'zip') await readZip(archivePath, writer, budget, signal);
      else await readTar(archivePath, format === 'tar.gz', writer, budget, signal);
    } finally {
      await writer.finish().catch(() => undefined);
    }
    await writer.finish();
    budget.checkAborted();
  } catch (error) {
    await rm(targetDir, { recursive: true, force: true });
    throw error;
  }
  budget.report();
  return { files: writer.files, dirs: writer.dirs, bytes: budget.bytes };
}

async function prepareTarget(targetDir: string): Promise<void> {
  const existing = await lstat(targetDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing === undefined) {
    await mkdir(targetDir, { recursive: true, mode: 0o755 });
    return;
  }
  if (!existing.isDirectory()) {
    throw new Error(`cannot extract into ${targetDir}: it exists and is not a folder; pass a new or empty folder`);
  }
  if ((await readdir(targetDir)).length > 0) {
    throw new Error(`cannot extract into ${targetDir}: the folder is not empty; pass a new or empty folder`);
  }
}
