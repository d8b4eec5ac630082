import { DEV_MACHINE_MAX_REPOSITORIES, parseSshPublicKey, type DevMachineSpec } from '@aiplat/api';
import type { FieldIssue } from '../../training/model/jobFormValues.js';

/*
 * The dev machine form's "SSH" and "Repositories" parts: their values as typed, the spec's `ssh` and
 * `repositories` they describe, and which field shows each of their problems.
 */

/** One repository row as typed. */
export interface RepositoryRow {
  url: string;
  /** Empty: the repository's default branch. */
  branch: string;
  /** The name of one of the user's Git credentials; empty for none (a public repository). */
  credential: string;
}

export interface AccessFormValues {
  /** An SSH server on the machine, opened by the user's SSH keys. */
  sshEnabled: boolean;
  /** Extra public keys for this machine only, one a line. */
  sshPublicKeys: string;
  /** At most `DEV_MACHINE_MAX_REPOSITORIES` rows. */
  repositories: RepositoryRow[];
}

export const REPOSITORY_PARTS = ['url', 'branch', 'credential'] as const;
export type RepositoryPart = (typeof REPOSITORY_PARTS)[number];

/** The field of one part of a repository row: `repositories.1.url`. */
export function repositoryField(index: number, part: RepositoryPart): string {
  return `repositories.${index}.${part}`;
}

/** Every field the repository rows may show a problem at, the list's own included. */
export const REPOSITORY_FIELDS: readonly string[] = [
  'repositories',
  ...Array.from({ length: DEV_MACHINE_MAX_REPOSITORIES }, (_, i) =>
    REPOSITORY_PARTS.map((p) => repositoryField(i, p)),
  ).flat(),
];

export function accessValuesFromSpec(spec: Partial<DevMachineSpec> = {}): AccessFormValues {
  return {
    sshEnabled: spec.ssh?.enabled ?? false,
    sshPublicKeys: (spec.ssh?.publicKeys ?? []).join('\n'),
    repositories: (spec.repositories ?? []).map((r) => ({
      url: r.url,
      branch: r.branch ?? '',
      credential: r.credential ?? '',
    })),
  };
}

export const emptyRepository = (): RepositoryRow => ({ url: '', branch: '', credential: '' });

/** The rows with one more (empty) at the end; the same rows when there are as many as a machine clones. */
export function withRepositoryAdded(rows: readonly RepositoryRow[]): RepositoryRow[] {
  return rows.length >= DEV_MACHINE_MAX_REPOSITORIES ? [...rows] : [...rows, emptyRepository()];
}

export function withRepositoryRemoved(rows: readonly RepositoryRow[], index: number): RepositoryRow[] {
  return rows.filter((_, i) => i !== index);
}

export function withRepositoryChanged(
  rows: readonly RepositoryRow[],
  index: number,
  patch: Partial<RepositoryRow>,
): RepositoryRow[] {
  return rows.map((row, i) => (i === index ? { ...row, ...patch } : row));
}

/**
 * The public keys typed, one a line (blank lines skipped): those that read as keys; each other
 * line's problem goes to `issues`, with its line number.
 */
export function parsePublicKeyLines(text: string, issues: FieldIssue[]): string[] {
  const keys: string[] = [];
  text.split('\n').forEach((line, i) => {
    const key = line.trim();
    if (!key) return;
    const parsed = parseSshPublicKey(key);
    if (typeof parsed === 'string') issues.push({ field: 'sshPublicKeys', message: `line ${i + 1}: ${parsed}` });
    else keys.push(key);
  });
  return keys;
}

/** The spec's `ssh` (left out when SSH is off); bad key lines go to `issues`. */
export function sshInput(values: AccessFormValues, issues: FieldIssue[] = []): DevMachineSpec['ssh'] | undefined {
  if (!values.sshEnabled) return undefined;
  const publicKeys = parsePublicKeyLines(values.sshPublicKeys, issues);
  return { enabled: true, ...(publicKeys.length > 0 ? { publicKeys } : {}) };
}

/** The spec's `repositories` (left out when there is none); an empty branch or credential is left out. */
export function repositoriesInput(rows: readonly RepositoryRow[]): Record<string, string>[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.map((row) => {
    const branch = row.branch.trim();
    return {
      url: row.url.trim(),
      ...(branch ? { branch } : {}),
      ...(row.credential ? { credential: row.credential } : {}),
    };
  });
}

/**
 * The field that shows a spec path (relative to the spec) of `ssh` or `repositories`; undefined
 * for other paths.
 */
export function accessFieldOfPath(path: string): string | undefined {
  if (path === 'ssh' || path.startsWith('ssh.')) return path.startsWith('ssh.publicKeys') ? 'sshPublicKeys' : 'ssh';
  const repository = /^repositories(?:\.(\d+)(?:\.(\w+))?)?/.exec(path);
  if (!repository) return undefined;
  const [, index, part] = repository;
  if (index === undefined) return 'repositories';
  const known = (REPOSITORY_PARTS as readonly string[]).includes(part ?? '') ? (part as RepositoryPart) : 'url';
  return repositoryField(Number(index), known);
}
