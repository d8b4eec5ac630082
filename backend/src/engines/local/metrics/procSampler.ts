/**
 * CPU and memory of whole process groups (one instance = one group, see the supervisor), read from
 * /proc in a single pass over /proc/[pid]/stat for all requested groups.
 *
 * CPU: the cumulative ticks of a process are utime + stime + cutime + cstime (fields 14-17 of
 * /proc/[pid]/stat). Counting the children's fields matters for jobs whose shell runs many
 * short-lived commands: a command that starts and ends between two samples is only visible through
 * its parent's cutime/cstime. When a member exits and is reaped by another member, its lifetime moves
 * into the reaper's cutime/cstime: the ticks already counted for it in earlier intervals are taken
 * back (see `groupTickDelta`), so nothing is counted twice. What is lost: the last interval of a
 * member reaped by a process outside the group (an orphan reaped by init, or the group leader itself,
 * which the log shim reaps).
 *
 * Memory: the sum of the members' resident set sizes, from field 24 (rss, in pages) of the same stat
 * line, the same counter as the second field of /proc/[pid]/statm, so one read per process gives
 * both CPU and memory. An RSS sum double-counts pages shared between members: shared libraries and,
 * above all, the copy-on-write pages of forked workers (PyTorch DataLoader workers report most of
 * the parent's memory as their own). `memory: 'pss'` reads Pss from /proc/[pid]/smaps_rollup
 * instead, which splits each shared page between its sharers and so sums correctly, at the price
 * of one more read per member and a page-table walk in the kernel proportional to the process size.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';

/** One sample of one process group. */
export interface GroupSample {
  /** 100 = one full core over the interval since the previous sample; undefined on the first sample. */
  cpuPercent?: number;
  /** Sum of the members' RSS (or PSS with `memory: 'pss'`). */
  memoryBytes: number;
  /** Live (non-zombie) members. A group without any is absent from the samples. */
  processCount: number;
  /** The live members' pids, ascending (what the accelerator samplers match against). */
  pids: number[];
}

/** The cumulative CPU ticks of one process, as last seen. */
export interface ProcessTicks {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
}

/** What the next call needs to compute CPU deltas; treat as opaque. */
export interface SamplerState {
  /** Monotonic time of the scan, in milliseconds (`clock`). */
  readonly at: number;
  /** Per requested group: every member seen (zombies included), keyed by `pid:starttime`. */
  readonly groups: ReadonlyMap<number, ReadonlyMap<string, ProcessTicks>>;
}

export type MemoryMode = 'rss' | 'pss';

export interface ProcSamplerOptions {
  /** Where procfs is mounted; tests point this at a directory of fake stat files. */
  procRoot?: string;
  /** 'rss' (default): cheap, double-counts shared pages. 'pss': exact sharing, more expensive. */
  memory?: MemoryMode;
  /** Monotonic milliseconds; defaults to `performance.now()`. */
  clock?: () => number;
  /**
   * Clock ticks per second of the stat time fields. Linux exports them in USER_HZ, which is 100 on
   * every architecture Node runs on (x86, arm, arm64, ppc64, s390x, riscv64, loong64) whatever the
   * kernel's own HZ is, so it is not worth a `getconf CLK_TCK` process.
   */
  clockTicksPerSecond?: number;
  /** Bytes per page for the rss field; detected once from /proc/self/smaps, else 4096. */
  pageSize?: number;
}

const USER_HZ = 100;
const DEFAULT_PAGE_SIZE = 4096;
/** A stat line is well under 1 KiB (a 64-character comm and 52 numeric fields); longer falls back. */
const READ_BUFFER = Buffer.alloc(4096);
/** Nothing can use more than every core; a bigger figure would be an accounting artefact. */
const MAX_CPU_PERCENT = availableParallelism() * 100;

let detectedPageSize: number | undefined;

/**
 * The base page size, from the KernelPageSize line of this process's first mapping (its executable,
 * never a huge page). Only the head of /proc/self/smaps is read, which the kernel produces lazily;
 * this matters on arm64 hosts with 64 KiB pages, where assuming 4096 would be 16 times off.
 */
export function systemPageSize(): number {
  if (detectedPageSize === undefined) {
    detectedPageSize = DEFAULT_PAGE_SIZE;
    try {
      const match = /^KernelPageSize:\s+(\d+) kB$/m.exec(readHead('/proc/self/smaps') ?? '');
      if (match) detectedPageSize = Number(match[1]) * 1024;
    } catch {
      // keep the default
    }
  }
  return detectedPageSize;
}

/**
 * Samples every group in `pgids` with one scan of /proc. Pass the previous call's `state` to get
 * `cpuPercent` (a group absent from it, e.g. new since, gets none). A group with no live member is
 * absent from `samples`; processes vanishing during the scan are skipped silently.
 */
export function sampleProcessGroups(
  pgids: readonly number[],
  previous?: SamplerState,
  options: ProcSamplerOptions = {},
): { samples: Map<number, GroupSample>; state: SamplerState } {
  const root = options.procRoot ?? '/proc';
  const clock = options.clock ?? (() => performance.now());
  const ticksPerSecond = options.clockTicksPerSecond ?? USER_HZ;
  const pageSize = options.pageSize ?? systemPageSize();

  interface Scan {
    ticks: Map<string, ProcessTicks>;
    pids: number[];
    memoryBytes: number;
  }
  const scans = new Map<number, Scan>();
  for (const pgid of pgids) {
    if (Number.isInteger(pgid) && pgid > 0) scans.set(pgid, { ticks: new Map(), pids: [], memoryBytes: 0 });
  }
  if (scans.size === 0) return { samples: new Map(), state: { at: clock(), groups: new Map() } };

  for (const entry of readdirSync(root)) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue; // only /proc/<pid> directories start with a digit
    const stat = readHead(`${root}/${entry}/stat`, true);
    if (stat === undefined) continue;
    const afterComm = stat.lastIndexOf(')') + 2; // the comm may contain spaces and parentheses
    if (afterComm < 2) continue;
    const scan = scans.get(pgrpOf(stat, afterComm));
    if (scan === undefined) continue;

    // fields[0] is field 3 (state); field n is fields[n - 3].
    const fields = stat.slice(afterComm).split(' ');
    const pid = Number(entry);
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + (Number(fields[i]) || 0), 0);
    scan.ticks.set(`${pid}:${fields[19]}`, { pid, ppid: Number(fields[1]), ticks });
    if (fields[0] === 'Z' || fields[0] === 'X') continue; // exited, only its ticks still count
    scan.pids.push(pid);
    const rssBytes = (Number(fields[21]) || 0) * pageSize;
    scan.memoryBytes += options.memory === 'pss' ? (pssBytes(`${root}/${entry}/smaps_rollup`) ?? rssBytes) : rssBytes;
  }

  const at = clock();
  const elapsedSeconds = previous === undefined ? 0 : (at - previous.at) / 1000;
  const samples = new Map<number, GroupSample>();
  const groups = new Map<number, ReadonlyMap<string, ProcessTicks>>();
  for (const [pgid, scan] of scans) {
    if (scan.ticks.size > 0) groups.set(pgid, scan.ticks);
    if (scan.pids.length === 0) continue;
    const before = previous?.groups.get(pgid);
    const sample: GroupSample = {
      memoryBytes: scan.memoryBytes,
      processCount: scan.pids.length,
      pids: scan.pids.sort((a, b) => a - b),
    };
    if (before !== undefined && elapsedSeconds > 0) {
      const percent = (groupTickDelta(before, scan.ticks) / ticksPerSecond / elapsedSeconds) * 100;
      sample.cpuPercent = Math.min(percent, MAX_CPU_PERCENT);
    }
    samples.set(pgid, sample);
  }
  return { samples, state: { at, groups } };
}

/**
 * CPU ticks a group used between two scans. Members present in both count their growth, new members
 * all their ticks. A member gone since, whose parent chain (through members also gone) reaches a
 * surviving member, was reaped inside the group: its whole lifetime reappeared in the survivor's
 * cutime/cstime, so what was already counted for it (its ticks at the previous scan) is taken back.
 */
export function groupTickDelta(
  before: ReadonlyMap<string, ProcessTicks>,
  after: ReadonlyMap<string, ProcessTicks>,
): number {
  let delta = 0;
  const survivors = new Set<number>();
  for (const [key, now] of after) {
    const then = before.get(key);
    if (then === undefined) {
      delta += now.ticks;
    } else {
      delta += Math.max(0, now.ticks - then.ticks);
      survivors.add(now.pid);
    }
  }
  const beforeByPid = new Map<number, ProcessTicks>();
  for (const then of before.values()) beforeByPid.set(then.pid, then);
  for (const [key, then] of before) {
    if (after.has(key)) continue;
    let parent = then.ppid;
    for (let depth = 0; depth < 64; depth++) {
      if (survivors.has(parent)) {
        delta -= then.ticks;
        break;
      }
      const gone = beforeByPid.get(parent);
      if (gone === undefined) break; // reaped outside the group: its last interval is lost
      parent = gone.ppid;
    }
  }
  return Math.max(0, delta);
}

/** Field 5 (pgrp) of a stat line, given where field 3 starts. */
function pgrpOf(stat: string, afterComm: number): number {
  const ppidStart = stat.indexOf(' ', afterComm) + 1;
  const pgrpStart = stat.indexOf(' ', ppidStart) + 1;
  const pgrpEnd = stat.indexOf(' ', pgrpStart);
  if (ppidStart === 0 || pgrpStart === 0 || pgrpEnd < 0) return -1;
  return Number(stat.slice(pgrpStart, pgrpEnd));
}

function pssBytes(file: string): number | undefined {
  let text: string | undefined;
  try {
    text = readHead(file, true);
  } catch {
    return undefined; // no smaps_rollup (kernel < 4.14) or not readable: fall back to RSS
  }
  const match = text === undefined ? null : /^Pss:\s+(\d+) kB$/m.exec(text);
  return match ? Number(match[1]) * 1024 : undefined;
}

/**
 * The start of a /proc file (all of it when `whole` and it is longer than the buffer), or undefined
 * when the process is gone (ENOENT on open, ESRCH on read) or hidden from us (EACCES/EPERM under
 * hidepid, never one of our own processes). Other errors are thrown.
 */
function readHead(file: string, whole = false): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (isGoneOrHidden(error)) return undefined;
    throw error;
  }
  try {
    const length = readSync(fd, READ_BUFFER, 0, READ_BUFFER.length, null);
    if (length === READ_BUFFER.length && whole) return readFileSync(file, 'latin1');
    return READ_BUFFER.toString('latin1', 0, length);
  } catch (error) {
    if (isGoneOrHidden(error)) return undefined;
    throw error;
  } finally {
    closeSync(fd);
  }
}

function isGoneOrHidden(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM';
}
