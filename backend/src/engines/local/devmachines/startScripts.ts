import type { DevMachineRecord } from '../../../devmachines/devMachineStore.js';
import type { DevMachineLifecycle } from '../../../devmachines/engine.js';
import type { LifecycleScripts } from '../../../devmachines/lifecycle/lifecycleConfigService.js';
import { LifecycleLog } from './lifecycleLog.js';
import { runLifecycleScript, type LifecycleKind, type ScriptLauncher } from './lifecycleScript.js';

export interface StartScriptsRun {
  machine: DevMachineRecord;
  scripts: LifecycleScripts;
  /** The dev machine's lifecycle log (job log format). */
  logFile: string;
  launcher: ScriptLauncher;
  /** Who the scripts run as, for the events ("root", "the backend's user"). */
  runsAs: string;
  timeoutMs: number;
  lifecycle: DevMachineLifecycle;
  /** Aborted when the machine is stopped meanwhile: the running script is ended. */
  signal: AbortSignal;
}

/**
 * A start's lifecycle scripts, on-create first, each with an event as it starts and ends and its
 * output in the machine's log. Resolves to why the start fails, or undefined when every script
 * succeeded (after a successful on-create the machine is marked created, so it never runs again).
 */
export async function runStartScripts(run: StartScriptsRun): Promise<string | undefined> {
  const steps: [LifecycleKind, string | undefined][] = [
    ['on-create', run.scripts.onCreate],
    ['on-start', run.scripts.onStart],
  ];
  if (steps.every(([, script]) => script === undefined)) return undefined;
  const log = await LifecycleLog.open(run.logFile);
  const config = run.machine.spec.lifecycleConfig ?? '';
  try {
    for (const [kind, script] of steps) {
      if (script === undefined) continue;
      const started = Date.now();
      log.line('platform', `${kind}: started (${config}, as ${run.runsAs})`);
      run.lifecycle.observed(run.machine.id, {
        event: { type: 'script-started', message: `Running the ${kind} script of ${config} as ${run.runsAs}.` },
      });
      const outcome = await runLifecycleScript({
        kind,
        script,
        launcher: run.launcher,
        timeoutMs: run.timeoutMs,
        signal: run.signal,
        onLine: (stream, text) => log.line(stream === 'stdout' ? 'out' : 'err', text),
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!outcome.ok) {
        log.line('platform', `${kind}: ${outcome.reason}`);
        run.lifecycle.observed(run.machine.id, { event: { type: 'script-failed', message: `${outcome.reason}.` } });
        return outcome.reason;
      }
      log.line('platform', `${kind}: finished in ${seconds} s`);
      run.lifecycle.observed(run.machine.id, {
        event: { type: 'script-succeeded', message: `The ${kind} script finished in ${seconds} s.` },
        ...(kind === 'on-create' ? { created: true as const } : {}),
      });
    }
    return undefined;
  } finally {
    await log.close();
  }
}
