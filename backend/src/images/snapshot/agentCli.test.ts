import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_AGENT_BUNDLE } from './agentBundle.js';
import { parseAgentLine } from './agentProtocol.js';
import { readLayerTar } from '../../../../testing/src/images/layerTar.js';
import { buildBaseTree, changeTree, scenarioMountInfo } from '../../../../testing/src/images/snapshotScenario.js';

/*
 * The agent as it ships: the esbuild bundle from the backend's build, copied alone into a temp
 * directory (no node_modules anywhere above it) and run with plain node on a temp tree.
 */
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
let dir: string;
let agent: string;
let tree: string;
let common: string[];

beforeAll(async () => {
  const build = spawnSync('npm', ['run', 'build', '--workspace', '@aiplat/backend'], { cwd: REPO, encoding: 'utf8' });
  expect(build.status, build.stderr).toBe(0);
  dir = await mkdtemp(path.join(os.tmpdir(), 'aiplat-snapshot-cli-'));
  agent = path.join(dir, 'snapshot-agent.cjs');
  await copyFile(SNAPSHOT_AGENT_BUNDLE, agent);
  tree = path.join(dir, 'tree');
  await buildBaseTree(tree);
  const mountInfo = path.join(dir, 'mountinfo');
  await writeFile(mountInfo, scenarioMountInfo(tree));
  common = ['--root', tree, '--baseline', path.join(dir, 'baseline.gz'), '--mountinfo', mountInfo];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function runAgent(args: string[]) {
  const result = spawnSync(process.execPath, [agent, ...args], { cwd: dir, maxBuffer: 64 << 20 });
  const stderrLines = result.stderr
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => parseAgentLine(line) as Record<string, unknown>);
  return { status: result.status, stdout: result.stdout, stderrLines };
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

describe('snapshot-agent CLI', () => {
  it('takes a baseline, previews and streams the layer with its digests on stderr', async () => {
    const baseline = runAgent(['baseline', ...common]);
    expect(baseline.status).toBe(0);
    expect(JSON.parse(baseline.stdout.toString())).toMatchObject({ entries: expect.any(Number) as number });

    await changeTree(tree);
    const preview = runAgent(['preview', ...common, '--exclude', '/new/h*', '--top', '2']);
    expect(preview.status).toBe(0);
    const previewJson = JSON.parse(preview.stdout.toString()) as Record<string, unknown>;
    expect(previewJson).toMatchObject({ deleted: 2, replaced: 4 });
    expect(previewJson.skipped).toEqual(
      expect.arrayContaining([
        { path: '/new/h1', reason: 'exclude', detail: '/new/h*' },
        { path: '/home/u/.cache', reason: 'exclude', detail: '~/.cache' },
      ]),
    );
    expect(previewJson.largestDirectories).toHaveLength(2);

    const layer = runAgent(['layer', ...common, '--gzip-level', '1']);
    expect(layer.status).toBe(0);
    const done = layer.stderrLines.at(-1)?.done as Record<string, unknown>;
    expect(done).toEqual({
      digest: sha256(layer.stdout),
      diffId: sha256(gunzipSync(layer.stdout)),
      size: layer.stdout.length,
      files: readLayerTar(layer.stdout).length,
    });
    const last = layer.stderrLines.at(-2)?.progress as { bytes: number; files: number };
    expect(last).toEqual({ bytes: expect.any(Number) as number, files: done.files });
    // The plan comes first, and the progress ends where it said.
    expect(layer.stderrLines[0]).toEqual({ plan: last });
    expect(readLayerTar(layer.stdout).map((entry) => entry.name)).toContain('data/.wh.deleteme');
  });

  it('reads patterns from an excludes file, and can drop the default ones', async () => {
    const excludes = path.join(dir, 'excludes');
    await writeFile(excludes, '# mine\n/etc\n');
    const preview = runAgent(['preview', ...common, '--excludes-file', excludes, '--no-default-excludes']);
    const skipped = (JSON.parse(preview.stdout.toString()) as { skipped: { path: string }[] }).skipped;
    expect(skipped.map((skip) => skip.path)).toEqual(['/etc', '/mnt/vol', '/proc']);
  });

  it('answers a missing baseline with a JSON error and exit 1', () => {
    const result = runAgent(['layer', '--root', tree, '--baseline', path.join(dir, 'none.gz')]);
    expect(result.status).toBe(1);
    expect(result.stdout.length).toBe(0);
    expect(result.stderrLines).toEqual([{ error: expect.stringMatching(/^no baseline at .*none\.gz/) as string }]);
  });

  it('answers a wrong command line with usage and exit 2', () => {
    const result = runAgent(['snapshot']);
    expect(result.status).toBe(2);
    expect(result.stderrLines[0]?.error).toMatch(/unknown command "snapshot"\nusage: snapshot-agent/);
    const level = runAgent(['layer', '--gzip-level', '12']);
    expect(level.status).toBe(2);
    expect(level.stderrLines).toEqual([{ error: '--gzip-level takes 1 to 9, not "12"' }]);
  });
});
