import { execFileSync } from 'node:child_process';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiClient, type AssetTask } from '@aiplat/api';
import { startPlatform, type PlatformFixture } from '../../../testing/src/backend/platformFixture.js';
import { cpuSpec, homeFolder, programOutput, PYTHON, waitForJob } from '../../../testing/src/backend/jobs.js';
import { MODEL_SERVER } from '../../../testing/src/services/localServiceFixture.js';
import { waitForService } from '../../../testing/src/services/waitForService.js';

/*
 * Datasets and models through the real API of a real platform (two users, a temp /work): imports,
 * publish without copying, read-only versions, shares between users, acceleration, export.
 */

let fx: PlatformFixture;
let alice: ApiClient;
let bob: ApiClient;

beforeAll(async () => {
  fx = await startPlatform({ seedExamples: false });
  alice = fx.client('alice');
  bob = fx.client('bob');
});
afterAll(() => fx?.close());

async function settled(client: ApiClient, task: AssetTask): Promise<AssetTask> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const now = await client.getAssetTask({ params: { taskId: task.id } });
    if (now.state !== 'running') return now;
    if (Date.now() > deadline) throw new Error(`task still running: ${JSON.stringify(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

const aliceHome = () => path.join(fx.workRoot, 'home', 'alice');
const inode = async (file: string) => (await stat(file)).ino;

describe('datasets', () => {
  let datasetId: string;

  it('creates a dataset, imports a folder with its records checked, and publishes v1 as links', async () => {
    const created = await alice.createAsset({
      params: { kind: 'datasets' },
      body: { name: 'alpaca-mini', dataType: 'text', annotationType: 'instruction' },
    });
    datasetId = created.id;
    expect(created).toMatchObject({ workingPath: 'home/datasets/alpaca-mini', readOnly: false, versions: [] });
    const dup = await apiError(alice.createAsset({ params: { kind: 'datasets' }, body: { name: 'alpaca-mini' } }));
    expect(dup.status).toBe(409);

    await homeFolder(fx.workRoot, 'alice', 'raw', {
      'train.jsonl': '{"instruction":"a","input":"","output":"b"}\n{"instruction":"c"}\n',
      'notes.md': '# notes',
    });
    const task = await alice.importIntoAsset({
      params: { kind: 'datasets', id: datasetId },
      body: { source: { type: 'folder', path: 'home/raw' } },
    });
    const done = await settled(alice, task);
    expect(done.state, done.message).toBe('succeeded');
    expect(done.records).toMatchObject({ annotationType: 'instruction', recordsChecked: 2, badRecords: 1 });
    expect(done.records?.problems[0]).toMatchObject({ file: 'train.jsonl', line: 2 });
    expect(await readdir(path.join(aliceHome(), 'datasets/alpaca-mini'))).toEqual(['notes.md', 'train.jsonl']);

    const v1 = await alice.publishVersion({ params: { kind: 'datasets', id: datasetId }, body: {} });
    expect(v1).toMatchObject({
      version: 'v1',
      state: 'ready',
      fileCount: 2,
      path: 'home/.catalog/datasets/alpaca-mini/v1',
    });
    const working = path.join(aliceHome(), 'datasets/alpaca-mini/train.jsonl');
    const published = path.join(aliceHome(), '.catalog/datasets/alpaca-mini/v1/train.jsonl');
    expect(await inode(published)).toBe(await inode(working));
    expect(v1.linkedBytes).toBe(v1.sizeBytes);
  });

  it('keeps versions read-only through the file API', async () => {
    const res = await fx.fetch('/api/files/content?path=home/.catalog/datasets/alpaca-mini/v1/evil.txt', {
      method: 'PUT',
      body: 'x',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('read_only');
    const listing = await alice.listFiles({ query: { path: 'home/.catalog/datasets/alpaca-mini/v1' } });
    expect(listing.entries.map((e) => e.name).sort()).toEqual(['notes.md', 'train.jsonl']);
  });

  it('uploads a tar.gz that is extracted, then v2 shares the unchanged file with v1', async () => {
    const src = path.join(fx.dir, 'tarsrc');
    await mkdir(path.join(src, 'more'), { recursive: true });
    await writeFile(path.join(src, 'more/extra.jsonl'), '{"instruction":"x","input":"","output":"y"}\n');
    const archive = path.join(fx.dir, 'more.tar.gz');
    execFileSync('tar', ['-czf', archive, '-C', src, 'more']);
    const res = await fx.fetch(`/api/assets/datasets/${datasetId}/imports/upload?fileName=more.tar.gz`, {
      method: 'POST',
      body: await readFile(archive),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const done = await settled(alice, (await res.json()) as AssetTask);
    expect(done.state, done.message).toBe('succeeded');
    const v2 = await alice.publishVersion({
      params: { kind: 'datasets', id: datasetId },
      body: { description: 'more' },
    });
    expect(v2).toMatchObject({ version: 'v2', fileCount: 3 });
    const catalog = path.join(aliceHome(), '.catalog/datasets/alpaca-mini');
    expect(await inode(path.join(catalog, 'v2/train.jsonl'))).toBe(await inode(path.join(catalog, 'v1/train.jsonl')));
    expect(await readFile(path.join(catalog, 'v2/more/extra.jsonl'), 'utf8')).toContain('"x"');
  });

  it('refuses a dataset-only field on a model and an archive that escapes', async () => {
    const bad = await apiError(
      alice.createAsset({ params: { kind: 'models' }, body: { name: 'm', annotationType: 'qa' } }),
    );
    expect(bad.status).toBe(400);
    const pack = path.join(fx.dir, 'evil');
    await mkdir(pack, { recursive: true });
    const archive = path.join(fx.dir, 'evil.tar');
    await writeFile(path.join(pack, 'x'), 'x');
    execFileSync('tar', ['-cf', archive, '-C', pack, '--transform', 's,^x,../../escaped,', 'x']);
    const res = await fx.fetch(`/api/assets/datasets/${datasetId}/imports/upload?fileName=evil.tar`, {
      method: 'POST',
      body: await readFile(archive),
      headers: { 'content-type': 'application/octet-stream' },
    });
    const done = await settled(alice, (await res.json()) as AssetTask);
    expect(done.state).toBe('failed');
    expect(done.message).toContain('../../escaped');
    await expect(stat(path.join(aliceHome(), 'escaped'))).rejects.toThrow();
    expect(await readdir(path.join(aliceHome(), '.catalog/.staging')).catch(() => [])).toEqual([]);
  });

  it('answers an upload whose task fails before reading the body, instead of leaving it waiting', async () => {
    // A file where the staging folder goes: the task cannot make its folder, so nothing reads the body.
    const staging = path.join(aliceHome(), '.catalog/.staging');
    await rm(staging, { recursive: true, force: true });
    await mkdir(path.dirname(staging), { recursive: true });
    await writeFile(staging, 'in the way');
    try {
      const res = await fx.fetch(`/api/assets/datasets/${datasetId}/imports/upload?fileName=late.jsonl`, {
        method: 'POST',
        body: '{"instruction":"x","input":"","output":"y"}\n',
        headers: { 'content-type': 'application/octet-stream' },
        signal: AbortSignal.timeout(15_000),
      });
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.message).toMatch(/^the upload could not be stored: .*ENOTDIR/);
    } finally {
      await rm(staging, { force: true });
    }
  });

  it('refuses a download link into loopback unless the operator allows it', async () => {
    const task = await alice.importIntoAsset({
      params: { kind: 'datasets', id: datasetId },
      body: { source: { type: 'url', url: `${fx.baseUrl}/healthz` } },
    });
    const done = await settled(alice, task);
    expect(done.state).toBe('failed');
    expect(done.message).toMatch(/127\.0\.0\.1|loopback/);
  });

  it('shares a dataset with bob by token; revoking takes it away', async () => {
    const { token, share } = await alice.shareAsset({ params: { kind: 'datasets', id: datasetId }, body: {} });
    const wrong = await apiError(bob.redeemAssetShare({ params: { kind: 'datasets' }, body: { token: `${token}x` } }));
    expect(wrong.status).toBe(404);
    const copy = await bob.redeemAssetShare({ params: { kind: 'datasets' }, body: { token } });
    expect(copy).toMatchObject({ name: 'alpaca-mini', readOnly: true, sharedBy: 'alice' });
    expect(copy.versions.map((v) => v.version)).toEqual(['v1', 'v2']);
    expect(copy.versions[0]?.path).toBe('home/.catalog/shared/datasets/alpaca-mini/v1');
    const bobFile = await bob.listFiles({ query: { path: 'home/.catalog/shared/datasets/alpaca-mini/v2/more' } });
    expect(bobFile.entries.map((e) => e.name)).toEqual(['extra.jsonl']);
    const forbidden = await apiError(bob.publishVersion({ params: { kind: 'datasets', id: copy.id }, body: {} }));
    expect(forbidden.status).toBe(403);

    const shares = await alice.listAssetShares({ params: { kind: 'datasets', id: datasetId } });
    expect(shares.items[0]).toMatchObject({ id: share.id, redeemedBy: ['bob'] });
    await alice.revokeAssetShare({ params: { kind: 'datasets', id: datasetId, shareId: share.id } });
    expect((await bob.listAssets({ params: { kind: 'datasets' } })).items).toEqual([]);
    const gone = await apiError(bob.redeemAssetShare({ params: { kind: 'datasets' }, body: { token } }));
    expect(gone.status).toBe(410);
    await expect(stat(path.join(fx.workRoot, 'home/bob/.catalog/shared/datasets/alpaca-mini'))).rejects.toThrow();
  });

  it('accelerates a version onto the fast storage and evicts it', async () => {
    const task = await alice.accelerateVersion({ params: { kind: 'datasets', id: datasetId, version: 'v2' } });
    const done = await settled(alice, task);
    expect(done.state, done.message).toBe('succeeded');
    const asset = await alice.getAsset({ params: { kind: 'datasets', id: datasetId } });
    const accelerated = asset.versions.find((v) => v.version === 'v2')?.accelerated;
    expect(accelerated).toMatchObject({ state: 'ready', path: 'cache/.accelerated/alice/datasets/alpaca-mini/v2' });
    const copied = path.join(fx.workRoot, accelerated!.path, 'train.jsonl');
    expect(await inode(copied)).not.toBe(await inode(path.join(aliceHome(), 'datasets/alpaca-mini/train.jsonl')));
    const ref = await fx.platform.catalog.copies.resolveRef('alice', 'datasets', 'alpaca-mini');
    expect(ref).toMatchObject({ version: 'v2', accelerated: true });

    // A job naming the dataset reads the accelerated copy, through its variable.
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'reader');
    const job = await alice.createJob({
      body: {
        spec: cpuSpec({
          command: 'echo "$AIPLAT_DATASET_ALPACA_MINI"; cat "$AIPLAT_DATASET_ALPACA_MINI/more/extra.jsonl"',
          workingDir,
          datasets: ['alpaca-mini'],
        }),
      },
    });
    expect(job.inputs).toEqual([
      {
        kind: 'dataset',
        ref: 'alpaca-mini@v2',
        env: 'AIPLAT_DATASET_ALPACA_MINI',
        path: accelerated!.path,
        accelerated: true,
      },
    ]);
    expect((await waitForJob(alice, job.id)).state).toBe('Succeeded');
    const [lines = []] = await programOutput(alice, job.id);
    expect(lines[0]).toBe(path.join(fx.workRoot, accelerated!.path));
    expect(lines[1]).toContain('"x"');
    const unknown = await apiError(
      alice.createJob({ body: { spec: cpuSpec({ command: 'true', workingDir, datasets: ['alpaca-mini@v9'] }) } }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.message).toContain('v9');
    await alice.evictVersion({ params: { kind: 'datasets', id: datasetId, version: 'v2' } });
    await expect(stat(copied)).rejects.toThrow();
    expect(await fx.platform.catalog.copies.resolveRef('alice', 'datasets', 'alpaca-mini@v1')).toMatchObject({
      version: 'v1',
      accelerated: false,
    });
  });

  it('exports a version as a tar that resumes with Range, and into a folder', async () => {
    const url = `/api/assets/datasets/${datasetId}/versions/v2/archive`;
    const full = Buffer.from(await (await fx.fetch(url)).arrayBuffer());
    const head = await fx.fetch(url, { headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    const tail = await fx.fetch(url, { headers: { range: 'bytes=100-', 'if-range': head.headers.get('etag')! } });
    expect(tail.status).toBe(206);
    const joined = Buffer.concat([Buffer.from(await head.arrayBuffer()), Buffer.from(await tail.arrayBuffer())]);
    expect(joined.equals(full)).toBe(true);
    const tarFile = path.join(fx.dir, 'export.tar');
    await writeFile(tarFile, full);
    const names = execFileSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
    expect(names).toEqual(expect.arrayContaining(['alpaca-mini-v2/train.jsonl', 'alpaca-mini-v2/more/extra.jsonl']));

    const task = await alice.exportVersion({
      params: { kind: 'datasets', id: datasetId, version: 'v1' },
      body: { path: 'home/exported' },
    });
    expect((await settled(alice, task)).state).toBe('succeeded');
    expect((await readdir(path.join(aliceHome(), 'exported'))).sort()).toEqual(['notes.md', 'train.jsonl']);
    const again = await apiError(
      alice.exportVersion({
        params: { kind: 'datasets', id: datasetId, version: 'v1' },
        body: { path: 'home/exported' },
      }),
    );
    expect(again.status).toBe(409);
  });
});

describe('models', () => {
  it("imports a finished job's output as v1, then bob imports it by share token as his own version", async () => {
    const workingDir = await homeFolder(fx.workRoot, 'alice', 'train-run', {
      'train.py': [
        'import json, os',
        'os.makedirs("output", exist_ok=True)',
        'json.dump({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}, open("output/config.json", "w"))',
        'open("output/weights.bin", "wb").write(b"\\0" * 1024)',
      ].join('\n'),
    });
    const job = await alice.createJob({ body: { spec: cpuSpec({ command: `${PYTHON} train.py`, workingDir }) } });
    expect((await waitForJob(alice, job.id)).state).toBe('Succeeded');
    const model = await alice.createAsset({ params: { kind: 'models' }, body: { name: 'tiny-llama' } });
    const task = await alice.importIntoAsset({
      params: { kind: 'models', id: model.id },
      body: { source: { type: 'job', jobId: job.id, subPath: 'output' } },
    });
    expect(task.version).toBe('v1');
    const done = await settled(alice, task);
    expect(done.state, done.message).toBe('succeeded');
    const v1 = (await alice.getAsset({ params: { kind: 'models', id: model.id } })).versions[0];
    expect(v1).toMatchObject({
      version: 'v1',
      state: 'ready',
      fileCount: 2,
      source: { type: 'job', jobId: job.id, path: 'home/train-run/output' },
      summary: { architecture: 'LlamaForCausalLM', modelType: 'llama' },
    });

    const { token } = await alice.shareAsset({ params: { kind: 'models', id: model.id }, body: { version: 'v1' } });
    const mine = await bob.createAsset({ params: { kind: 'models' }, body: { name: 'from-alice' } });
    const imported = await settled(
      bob,
      await bob.importIntoAsset({
        params: { kind: 'models', id: mine.id },
        body: { source: { type: 'share', token } },
      }),
    );
    expect(imported.state, imported.message).toBe('succeeded');
    const bobs = await bob.getAsset({ params: { kind: 'models', id: mine.id } });
    expect(bobs.versions[0]).toMatchObject({
      source: { type: 'share', owner: 'alice', name: 'tiny-llama', version: 'v1' },
    });
    const bobWeights = path.join(fx.workRoot, 'home/bob/.catalog/models/from-alice/v1/weights.bin');
    expect(await inode(bobWeights)).toBe(
      await inode(path.join(aliceHome(), '.catalog/models/tiny-llama/v1/weights.bin')),
    );
  });

  it('deploys a model version as a service: MODEL_DIR is the version folder', async () => {
    const spec = (model: string) => ({
      name: 'llama-svc',
      auth: ['none' as const],
      version: {
        model,
        command: `exec python3 ${MODEL_SERVER}`,
        resources: { cpu: 0.2, memory: '128Mi' },
        probes: { readiness: { type: 'http' as const, path: '/ready', periodSeconds: 1 } },
      },
    });
    const missing = await apiError(alice.deployService({ body: { spec: spec('tiny-llama@v7') } }));
    expect(missing.status).toBe(400);
    expect(missing.message).toContain('v7');
    const service = await alice.deployService({ body: { spec: spec('tiny-llama@v1') } });
    expect(service.versions[0]?.spec).toMatchObject({
      model: 'home/.catalog/models/tiny-llama/v1',
      modelRef: 'tiny-llama@v1',
    });
    await waitForService(alice, 'llama-svc', (s) => s.state === 'Running');
    const answer = await fetch(`${fx.baseUrl}/services/llama-svc/predict`, { method: 'POST', body: '{}' });
    expect(((await answer.json()) as { model_type: string }).model_type).toBe('llama');
    await alice.stopService({ params: { name: 'llama-svc' }, body: {} });
  }, 60_000);

  it('a failed import leaves the version failed with the reason, and a cancelled one leaves none', async () => {
    const model = await alice.createAsset({ params: { kind: 'models' }, body: { name: 'broken' } });
    const failed = await settled(
      alice,
      await alice
        .importIntoAsset({
          params: { kind: 'models', id: model.id },
          body: { source: { type: 'folder', path: 'home/does-not-exist' } },
        })
        .catch(async (e: unknown) => {
          expect((e as ApiError).status).toBe(404);
          return alice.importIntoAsset({
            params: { kind: 'models', id: model.id },
            body: { source: { type: 'url', url: 'http://169.254.169.254/latest/meta-data' } },
          });
        }),
    );
    expect(failed.state).toBe('failed');
    const asset = await alice.getAsset({ params: { kind: 'models', id: model.id } });
    expect(asset.versions[0]).toMatchObject({ version: 'v1', state: 'failed' });
    expect(asset.versions[0]?.message).toContain('169.254.169.254');
  });
});
