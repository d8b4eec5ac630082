import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { BaselineError } from './baselineFile.js';
import { formatAgentLine } from './agentProtocol.js';
import type { LayerProgress } from './layerWriter.js';
import { DEFAULT_EXCLUDES, parseExcludesFile, type ExcludePattern } from './skipRules.js';
import {
  DEFAULT_BASELINE_FILE,
  previewSnapshotOf,
  streamSnapshotLayer,
  takeBaseline,
  type SnapshotSettings,
} from './snapshotAgent.js';

export const USAGE = `usage: snapshot-agent <baseline|preview|layer> [options]
  baseline   record the tree as it is now (at the machine's first start); prints a JSON summary
  preview    what a save would store: size, files, largest directories, what is left out and why (JSON)
  layer      write the changes as a gzip'd OCI layer tar to stdout; JSON lines on stderr:
             {"plan":{"bytes":N,"files":N}} (what it will hold), {"progress":{"bytes":N,"files":N}} ... then {"done":{"digest":"sha256:…","diffId":"sha256:…","size":N,"files":N}}
options:
  --root DIR               the tree to snapshot (default /)
  --baseline FILE          the baseline file (default ${DEFAULT_BASELINE_FILE})
  --exclude PATTERN        leave PATTERN out (repeatable): /abs/path, ~/in/every/home, a bare name anywhere; * ? **
  --excludes-file FILE     patterns, one a line, # comments
  --no-default-excludes    do not leave out the default caches (${DEFAULT_EXCLUDES.map((e) => e.pattern).join(', ')})
  --mountinfo FILE         read mount points from FILE instead of /proc/self/mountinfo
  --top N                  how many largest directories the preview lists (default 10)
  --gzip-level N           the layer's gzip level, 1 (fastest) to 9 (smallest); default 6
errors: {"error":"…"} on stderr and a non-zero exit`;

export interface CliStreams {
  stdout: Writable;
  stderr: Writable;
}

const PROGRESS_EVERY_BYTES = 8 << 20;
const PROGRESS_EVERY_FILES = 1_000;

class UsageError extends Error {}

/** Runs one agent command; resolves to the exit code. */
export async function runAgentCli(argv: string[], streams: CliStreams): Promise<number> {
  try {
    const { command, settings, top, gzipLevel } = parseCommandLine(argv);
    switch (command) {
      case 'baseline':
        streams.stdout.write(`${JSON.stringify(await takeBaseline(settings))}\n`);
        return 0;
      case 'preview':
        streams.stdout.write(`${JSON.stringify(await previewSnapshotOf(settings, top), null, 2)}\n`);
        return 0;
      case 'layer': {
        let reported: LayerProgress = { bytes: 0, files: 0 };
        const report = (progress: LayerProgress) => {
          streams.stderr.write(formatAgentLine({ progress }));
          reported = progress;
        };
        const done = await streamSnapshotLayer(settings, streams.stdout, {
          ...(gzipLevel === undefined ? {} : { gzipLevel }),
          onPlan: (plan) => streams.stderr.write(formatAgentLine({ plan })),
          onProgress: (progress) => {
            const due =
              progress.bytes - reported.bytes >= PROGRESS_EVERY_BYTES ||
              progress.files - reported.files >= PROGRESS_EVERY_FILES;
            if (due) report(progress);
          },
        });
        report({ bytes: done.bytes, files: done.files });
        const { digest, diffId, size, files } = done;
        streams.stderr.write(formatAgentLine({ done: { digest, diffId, size, files } }));
        return 0;
      }
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    streams.stderr.write(formatAgentLine({ error: message }));
    return error instanceof UsageError ? 2 : 1;
  }
}

type Command = 'baseline' | 'preview' | 'layer';

interface CommandLine {
  command: Command;
  settings: SnapshotSettings;
  top?: number;
  gzipLevel?: number;
}

function parseCommandLine(argv: string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        root: { type: 'string', default: '/' },
        baseline: { type: 'string', default: DEFAULT_BASELINE_FILE },
        exclude: { type: 'string', multiple: true, default: [] },
        'excludes-file': { type: 'string' },
        'no-default-excludes': { type: 'boolean', default: false },
        mountinfo: { type: 'string' },
        top: { type: 'string' },
        'gzip-level': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (command !== 'baseline' && command !== 'preview' && command !== 'layer') {
    throw new UsageError(command === undefined ? USAGE : `unknown command "${command}"\n${USAGE}`);
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}\n${USAGE}`);
  const top = values.top === undefined ? undefined : Number(values.top);
  if (top !== undefined && !(Number.isInteger(top) && top > 0)) {
    throw new UsageError(`--top takes a positive whole number, not "${values.top}"`);
  }
  const gzipLevel = values['gzip-level'] === undefined ? undefined : Number(values['gzip-level']);
  if (gzipLevel !== undefined && !(Number.isInteger(gzipLevel) && gzipLevel >= 1 && gzipLevel <= 9)) {
    throw new UsageError(`--gzip-level takes 1 to 9, not "${values['gzip-level']}"`);
  }
  const excludes: ExcludePattern[] = values['no-default-excludes'] ? [] : [...DEFAULT_EXCLUDES];
  if (values['excludes-file'] !== undefined) {
    excludes.push(...parseExcludesFile(readTextFile(values['excludes-file'], 'excludes file')));
  }
  excludes.push(...values.exclude.map((pattern) => ({ pattern })));
  // The agent runs in a process of its own: it may walk with its working directory.
  const settings: SnapshotSettings = {
    root: values.root,
    baselineFile: values.baseline,
    excludes,
    changeDirectory: true,
  };
  if (values.mountinfo !== undefined) settings.mountInfo = readTextFile(values.mountinfo, 'mountinfo file');
  return {
    command,
    settings,
    ...(top === undefined ? {} : { top }),
    ...(gzipLevel === undefined ? {} : { gzipLevel }),
  };
}

function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new BaselineError(`cannot read the ${what} ${file}: ${(error as Error).message}`);
  }
}
