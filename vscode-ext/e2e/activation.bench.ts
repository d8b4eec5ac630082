import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVsCode, treeItem, type VsCode } from './harness.js';

/** Activation times (ms) by extension name, from the Running Extensions editor. */
async function activationTimes(vsc: VsCode): Promise<Map<string, number>> {
  await vsc.runCommand('Developer: Show Running Extensions');
  const rows = vsc.page.locator('.runtime-extensions-editor .monaco-list-row');
  const times = new Map<string, number>();
  for (;;) {
    for (const text of await rows.allInnerTexts()) {
      const ms = /Activation: (\d+)ms/.exec(text)?.[1];
      if (ms) times.set(text.split('\n')[0]!.trim(), Number(ms));
    }
    if (times.has('AI Platform')) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await vsc.runCommand('View: Close All Editors');
  return times;
}

/**
 * From the extension host logs (one log per page load, under the user data dir): when each host
 * started and when it activated AI Platform, in ms after the navigation of the load it served
 * (`origins`: performance.timeOrigin of each counted load, in order).
 */
function extensionHostTimes(vsc: VsCode, origins: number[]): { started: number; activated: number } {
  const logsDir = path.join(vsc.installedExtensionDir, '..', '..', 'user-data', 'logs');
  const stamp = (line: string) => new Date(line.slice(0, 23).replace(' ', 'T')).getTime();
  const hosts = readdirSync(logsDir, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith(`${path.sep}remoteexthost.log`))
    .map((file) => readFileSync(path.join(logsDir, file), 'utf8').split('\n'))
    .map((lines) => ({
      started: stamp(lines.find((line) => line.includes('Extension host with pid')) ?? ''),
      activated: stamp(lines.find((line) => line.includes('_doActivateExtension aiplat.')) ?? ''),
    }))
    .filter((host) => !Number.isNaN(host.started))
    .sort((a, b) => a.started - b.started);
  // Each counted load's host is the first one started after its navigation.
  const served = origins.map((origin) => hosts.find((host) => host.started >= origin));
  const after = (key: 'started' | 'activated') =>
    median(served.flatMap((host, i) => (host ? [host[key] - origins[i]!] : [])));
  return { started: after('started'), activated: after('activated') };
}

/*
 * The VS Code extension's benchmark (`npm run bench:vscode`, also in `npm run bench`), in a real
 * code-server against a real backend, both measured in the same run over several reloads with the
 * AI Platform side bar open (as a user who works with it has it):
 *   - activation: the extension host's own measure ("Developer: Show Running Extensions": code
 *     loading + activate()), against the median of the built-in extensions activated in the same host;
 *   - load: page navigation → VS Code's "workbench ready" (the row of that name in "Developer: Startup
 *     Performance": the time origin to its `code/didStartWorkbench` mark, when the parts, views and
 *     editors are restored), → the Workspace view filled (its first root, /work/home, shown) and → the
 *     status bar item says "N running"; beside it, a reference extension's view in the same side bar
 *     filled (e2e/fixtures/reference-view: one static item, nothing to load or ask: the least any
 *     extension's view can take); also printed: the parts first rendered (activity bar and status
 *     bar) and when the extension host started and activated AI Platform (its log);
 *   - size: the packaged .vsix and the bundle (minified).
 * Targets: activation <= the median built-in extension's; view filled <= 1.1x the reference view
 * filled; the .vsix < 1 MiB; and view filled <= 1.5x workbench ready (the goal first given) wherever
 * the reference view meets it. In code-server here none does: the extension host starts after the
 * workbench is ready (~1.3x), and the reference view, which asks nothing of anyone, fills at ~1.9x,
 * in the same frame as ours.
 */

const REFERENCE_EXTENSION = fileURLToPath(new URL('./fixtures/reference-view', import.meta.url));
const RELOADS = Number(process.env.BENCH_VSCODE_RELOADS ?? 5);
const TARGET_ACTIVATION_RATIO = 1;
const TARGET_FILLED_RATIO = 1.1;
const FIRST_GOAL_FILLED_READY_RATIO = 1.5;
const TARGET_VSIX_BYTES = 1024 * 1024;

type Milestone = 'rendered' | 'ready' | 'pane' | 'activated' | 'filled' | 'reference' | 'running';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const ms = (value: number) => value.toFixed(0);

describe('VS Code extension benchmark', () => {
  let vsc: VsCode;
  beforeAll(async () => {
    vsc = await startVsCode({ alsoInstall: [REFERENCE_EXTENSION] });
    await vsc.setToken();
    // The side bar shows AI Platform on every reload from now on (the workbench restores it).
    await treeItem(await vsc.openView('Workspace'), '/work/home').waitFor({ timeout: 30_000 });
    await treeItem(await vsc.openView('Reference'), 'reference filled').waitFor({ timeout: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await vsc?.close();
  });

  it('measures activation and the Workspace view against code-server’s own workbench, and the sizes', async () => {
    const { page } = vsc;
    /**
     * performance.now() (ms since navigation) at the first animation frame where each condition
     * holds, and VS Code's own "workbench ready" mark.
     */
    const timeline = () =>
      page.evaluate(
        () =>
          new Promise<Record<Milestone, number>>((resolve) => {
            const texts = (selector: string) =>
              [...document.querySelectorAll(selector)].map((e) => e.textContent ?? '');
            const checks: Record<Exclude<Milestone, 'ready'>, () => boolean> = {
              rendered: () =>
                !!document.querySelector('.part.activitybar') && !!document.querySelector('.part.statusbar'),
              pane: () => texts('.part.sidebar .pane-header .title').some((t) => t.trim() === 'Workspace'),
              activated: () => texts('.part.statusbar .statusbar-item').some((t) => /AI Platform|\d+ running/.test(t)),
              filled: () => texts('.part.sidebar .monaco-list-row .label-name').some((t) => t.trim() === '/work/home'),
              reference: () =>
                texts('.part.sidebar .monaco-list-row .label-name').some((t) => t.trim() === 'reference filled'),
              running: () => texts('.part.statusbar .statusbar-item').some((t) => /\d+ running/.test(t)),
            };
            const seen: Partial<Record<Milestone, number>> = {};
            const tick = () => {
              for (const [name, check] of Object.entries(checks) as [Milestone, () => boolean][])
                if (seen[name] === undefined && check()) seen[name] = performance.now();
              const ready = performance.getEntriesByName('code/didStartWorkbench')[0];
              if (ready) seen.ready = ready.startTime;
              if (Object.keys(seen).length === 7) resolve(seen as Record<Milestone, number>);
              else requestAnimationFrame(tick);
            };
            tick();
          }),
      );
    const runs: Record<Milestone, number>[] = [];
    const origins: number[] = [];
    const ours: number[] = [];
    const builtinMedian: number[] = [];
    let builtins = 0;
    const perBuiltin: Record<string, number[]> = {};
    for (let run = 0; run <= RELOADS; run++) {
      await page.reload();
      const marks = await timeline();
      const origin = await page.evaluate(() => performance.timeOrigin);
      // The first load warms code-server's and the backend's caches; it is not counted.
      if (run === 0) continue;
      runs.push(marks);
      origins.push(origin);
      const times = await activationTimes(vsc);
      ours.push(times.get('AI Platform')!);
      times.delete('AI Platform');
      times.delete('Reference view (benchmark)');
      builtins = times.size;
      builtinMedian.push(median([...times.values()]));
      for (const [name, ms] of times) (perBuiltin[name] ??= []).push(ms);
    }
    const at = (milestone: Milestone) => median(runs.map((marks) => marks[milestone]));
    const host = extensionHostTimes(vsc, origins);
    const vsix = statSync(vsc.vsix).size;
    const bundle = ['extension.js', 'main.js']
      .map((name) => statSync(path.join(vsc.installedExtensionDir, 'dist', name)).size)
      .reduce((a, b) => a + b, 0);
    const activationRatio = median(ours) / median(builtinMedian);
    const filledRatio = at('filled') / at('reference');
    const readyRatio = at('filled') / at('ready');
    const referenceReadyRatio = at('reference') / at('ready');
    const goalReachable = referenceReadyRatio <= FIRST_GOAL_FILLED_READY_RATIO;
    const lines = [
      `vsix: ${kib(vsix)} (target < ${kib(TARGET_VSIX_BYTES)}); bundle dist/extension.js + main.js ${kib(bundle)}`,
      `activation (extension host, median of ${RELOADS} reloads): AI Platform ${median(ours)} ms; ` +
        `median of the ${builtins} built-in extensions activated ${median(builtinMedian)} ms`,
      `  built-in (median ms): ${Object.entries(perBuiltin)
        .map(([name, ms]) => `${name} ${median(ms)}`)
        .join(', ')}`,
      `ratio AI Platform / median built-in activation: ${activationRatio.toFixed(2)} (target <= ${TARGET_ACTIVATION_RATIO})`,
      `load (median ms after navigation): parts rendered ${ms(at('rendered'))}, workbench ready ` +
        `${ms(at('ready'))}, Workspace pane shown ${ms(at('pane'))}, extension activated (status bar item) ` +
        `${ms(at('activated'))}, view filled ${ms(at('filled'))}, "N running" ${ms(at('running'))}`,
      `extension host (its log, median ms after navigation): started ${ms(host.started)}, activated ` +
        `AI Platform ${ms(host.activated)} (${(host.activated / at('ready')).toFixed(2)}x workbench ready: ` +
        `no extension's view can fill sooner)`,
      `reference view (one static item) filled ${ms(at('reference'))}: ${referenceReadyRatio.toFixed(2)}x ` +
        `workbench ready`,
      `ratio view filled / reference view filled: ${filledRatio.toFixed(2)} (target <= ${TARGET_FILLED_RATIO})`,
      `ratio view filled / workbench ready: ${readyRatio.toFixed(2)} (first goal ${FIRST_GOAL_FILLED_READY_RATIO}, ` +
        (goalReachable
          ? 'held: the reference view meets it here'
          : `not reachable here: the reference view itself is at ${referenceReadyRatio.toFixed(2)}`) +
        `); / parts rendered: ${(at('filled') / at('rendered')).toFixed(2)}`,
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    expect(vsix).toBeLessThan(TARGET_VSIX_BYTES);
    expect(activationRatio).toBeLessThanOrEqual(TARGET_ACTIVATION_RATIO);
    expect(filledRatio).toBeLessThanOrEqual(TARGET_FILLED_RATIO);
    if (goalReachable) expect(readyRatio).toBeLessThanOrEqual(FIRST_GOAL_FILLED_READY_RATIO);
  }, 300_000);
});
