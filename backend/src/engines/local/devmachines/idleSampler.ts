import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { ProcessSample } from '../../../devmachines/idle/idleRules.js';
import type { AcceleratorKind, GpuSampler } from '../metrics/accelerators.js';

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  name: string;
  ticks: number;
  rssPages: number;
}

/** /proc/<pid>/stat of every process (those that end meanwhile are skipped). */
function readProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The name is in parentheses and may hold spaces or parentheses itself: split after the last ')'.
    const close = text.lastIndexOf(')');
    const name = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    out.push({
      pid: Number(entry),
      ppid: Number(fields[1]),
      name,
      ticks: Number(fields[11]) + Number(fields[12]),
      rssPages: Number(fields[21]),
    });
  }
  return out;
}

/**
 * CPU and memory of the processes under some roots (an IDE and everything it started: kernels,
 * terminals, what they run), per process name. CPU is the share of one core since the previous
 * look (100% = one core busy), so the first look after a start says 0.
 */
export class ProcessTreeSampler {
  private previous = new Map<number, number>();
  private previousAt = 0;
  /** The pids of the tree at the last look (an accelerator's processes are found by them). */
  pids: readonly number[] = [];

  sample(roots: readonly number[], now = Date.now()): ProcessSample[] {
    const all = readProcesses();
    const children = new Map<number, ProcStat[]>();
    for (const proc of all) {
      const siblings = children.get(proc.ppid);
      if (siblings) siblings.push(proc);
      else children.set(proc.ppid, [proc]);
    }
    const byPid = new Map(all.map((proc) => [proc.pid, proc]));
    const tree: ProcStat[] = [];
    const queue = roots.map((pid) => byPid.get(pid)).filter((proc): proc is ProcStat => proc !== undefined);
    for (let proc = queue.shift(); proc; proc = queue.shift()) {
      tree.push(proc);
      queue.push(...(children.get(proc.pid) ?? []));
    }
    const elapsedSeconds = this.previousAt ? (now - this.previousAt) / 1000 : 0;
    const totalBytes = os.totalmem();
    const byName = new Map<string, ProcessSample>();
    const ticks = new Map<number, number>();
    for (const proc of tree) {
      ticks.set(proc.pid, proc.ticks);
      const before = this.previous.get(proc.pid);
      const cpu =
        elapsedSeconds > 0 && before !== undefined ? ((proc.ticks - before) / CLOCK_TICKS / elapsedSeconds) * 100 : 0;
      const memory = ((proc.rssPages * PAGE_BYTES) / totalBytes) * 100;
      const entry = byName.get(proc.name) ?? { name: proc.name, cpuPercent: 0, memoryPercent: 0 };
      entry.cpuPercent += Math.max(0, cpu);
      entry.memoryPercent += memory;
      byName.set(proc.name, entry);
    }
    this.previous = ticks;
    this.previousAt = now;
    this.pids = tree.map((proc) => proc.pid);
    return [...byName.values()];
  }
}

/** The accelerators a dev machine holds: their kind and the scheduler's device indices. */
export interface HeldAccelerators {
  kind: AcceleratorKind;
  devices: readonly number[];
}

/**
 * Utilisation of a machine's accelerators for its idle policy, from the vendor's tool as job
 * metrics read it: NVIDIA by the processes of its tree, Ascend by the devices it holds. Undefined
 * when it holds none or the tool says nothing.
 */
export async function acceleratorPercent(
  samplers: readonly GpuSampler[],
  held: HeldAccelerators | undefined,
  pids: readonly number[],
): Promise<number | undefined> {
  const sampler = held && samplers.find((candidate) => candidate.kind === held.kind);
  if (!held || !sampler || held.devices.length === 0) return undefined;
  const usage = await sampler.sample([{ key: 'machine', pids, devices: held.devices }]);
  return usage.get('machine')?.utilizationPercent;
}
