import {
  ApiError,
  formatBytes,
  type ApiClient,
  type Asset,
  type AssetKind,
  type AssetShare,
  type AssetTask,
  type AssetVersion,
} from '@aiplat/api';
import { Option } from 'commander';
import { UsageError } from '../context.js';
import type { AssetMessages } from '../assetMessages.js';
import { age, table } from '../format.js';

/*
 * What every `aiplat dataset|model` command shares: the name → asset lookup (the API takes ids), the
 * `name@v1` references, and the tables and description they print.
 */

/** `name` or `name@v2`, checked; `needVersion` makes the version required. */
export function parseRef(
  m: AssetMessages,
  ref: string,
  needVersion: boolean,
): { name: string; version: string | undefined } {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})(?:@(v[1-9][0-9]{0,5}))?$/.exec(ref);
  if (!match) throw new UsageError(m.badRef(ref));
  if (needVersion && !match[2]) throw new UsageError(m.needsVersion(ref));
  return { name: match[1]!, version: match[2] };
}

/** One of the user's assets (own or shared) by name, or by id. */
export async function findAsset(
  client: ApiClient,
  m: AssetMessages,
  kind: AssetKind,
  nameOrId: string,
): Promise<Asset> {
  const { items } = await client.listAssets({ params: { kind } });
  const found = items.find((asset) => asset.name === nameOrId) ?? items.find((asset) => asset.id === nameOrId);
  if (!found) throw new ApiError('not_found', m.noSuch(kind, nameOrId));
  return found;
}

/** The latest version's name, or `-`. */
function latest(asset: Asset): string {
  return asset.versions.at(-1)?.version ?? '-';
}

export function assetsTable(m: AssetMessages, kind: AssetKind, assets: readonly Asset[], now: Date): string {
  const h = m.header;
  const header = [h.name, h.id, h.owner, h.versions, h.latest];
  if (kind === 'datasets') header.push(h.type);
  header.push(h.age, h.description);
  return table(
    header,
    assets.map((asset) => {
      const row = [
        asset.readOnly ? `${asset.name} (${asset.sharedBy ?? asset.owner})` : asset.name,
        asset.id,
        asset.owner,
        String(asset.versions.length),
        latest(asset),
      ];
      if (kind === 'datasets') row.push(`${asset.dataType ?? '-'}/${asset.annotationType ?? '-'}`);
      row.push(age(asset.createdAt, now), asset.description ?? '');
      return row;
    }),
  );
}

/** A version's acceleration in a word: `ready`, `copying`, `failed`, or `-`. */
function accelerationText(version: AssetVersion): string {
  return version.accelerated ? version.accelerated.state : '-';
}

export function versionsTable(m: AssetMessages, versions: readonly AssetVersion[], now: Date): string {
  const h = m.header;
  return table(
    [h.version, h.state, h.files, h.size, h.accelerated, h.age, h.path, h.description],
    versions.map((v) => [
      v.version,
      v.state === 'failed' && v.message ? `failed (${v.message})` : v.state,
      String(v.fileCount),
      formatBytes(v.sizeBytes),
      accelerationText(v),
      age(v.createdAt, now),
      v.path,
      v.description ?? '',
    ]),
  );
}

/** A share's state: revoked, expired, or active. */
export function shareState(m: AssetMessages, share: AssetShare, now: Date): string {
  if (share.revokedAt) return m.shares.revoked;
  if (share.expiresAt && Date.parse(share.expiresAt) <= now.getTime()) return m.shares.expired;
  return m.shares.active;
}

export function sharesTable(m: AssetMessages, shares: readonly AssetShare[], now: Date): string {
  const h = m.header;
  return table(
    [h.id, h.version, h.state, h.expires, h.age, h.redeemedBy],
    shares.map((s) => [
      s.id,
      s.version ?? m.shares.everyVersion,
      shareState(m, s, now),
      s.expiresAt ?? m.shares.never,
      age(s.createdAt, now),
      s.redeemedBy.length > 0 ? s.redeemedBy.join(',') : '-',
    ]),
  );
}

/** How far a task is: `42%` of known bytes, else bytes and files done. */
export function taskProgress(m: AssetMessages, task: AssetTask): string {
  const parts: string[] = [];
  if (task.bytesDone > 0 || task.bytesTotal !== undefined) {
    const percent =
      task.bytesTotal !== undefined && task.bytesTotal > 0
        ? Math.min(100, Math.floor((task.bytesDone / task.bytesTotal) * 100))
        : undefined;
    parts.push(
      m.task.bytes(
        formatBytes(task.bytesDone),
        task.bytesTotal === undefined ? undefined : formatBytes(task.bytesTotal),
        percent,
      ),
    );
  }
  if (task.filesDone > 0) parts.push(m.task.files(task.filesDone));
  return parts.join(', ');
}

export function tasksTable(m: AssetMessages, tasks: readonly AssetTask[], now: Date): string {
  const h = m.header;
  return table(
    [h.task, h.action, h.asset, h.state, h.progress, h.age, h.message],
    tasks.map((t) => [
      t.id,
      t.action,
      t.version ? `${t.assetName}@${t.version}` : t.assetName,
      t.state === 'running' ? `${t.state} (${t.phase})` : t.state,
      taskProgress(m, t) || '-',
      age(t.createdAt, now),
      t.message ?? '',
    ]),
  );
}

/** `aiplat dataset get`: the asset's fields, then its versions. */
export function describeAsset(m: AssetMessages, asset: Asset, now: Date): string {
  const f = m.fields;
  const rows: [string, string | undefined][] = [
    [f.name, asset.name],
    [f.id, asset.id],
    [f.kind, m.noun(asset.kind)],
    [f.owner, asset.owner],
    [f.sharedBy, asset.sharedBy],
    [f.readOnly, asset.readOnly ? f.yes : f.no],
    [f.description, asset.description],
    [f.dataType, asset.dataType],
    [f.annotationType, asset.annotationType],
    [f.workingPath, asset.workingPath],
    [f.created, `${asset.createdAt} (${age(asset.createdAt, now)})`],
  ];
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length), f.versions.length) + 2;
  const lines = shown.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`);
  lines.push(`${f.versions}:\n`);
  const versions =
    asset.versions.length === 0
      ? `  ${m.versions.empty(asset.name)}\n`
      : versionsTable(m, asset.versions, now)
          .split('\n')
          .filter(Boolean)
          .map((line) => `  ${line}\n`)
          .join('');
  return lines.join('') + versions;
}

/** `-o, --output json`. */
export function jsonOutput(m: AssetMessages): Option {
  return new Option('-o, --output <format>', m.output).choices(['json']);
}
