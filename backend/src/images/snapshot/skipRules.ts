import path from 'node:path';
import { displayPath } from './fsEntry.js';

/**
 * Why a path is not in a snapshot: a kernel or runtime directory, a mount point (another filesystem:
 * /work, bind-mounted files like /etc/hosts, volumes), a user exclude, the agent's own baseline file,
 * a socket (a tar cannot hold one) or an entry that could not be read.
 */
export type SkipReason = 'system' | 'mount' | 'exclude' | 'agent' | 'socket' | 'unreadable';

export interface SkippedPath {
  /** As seen in the container: `/proc`. */
  path: string;
  reason: SkipReason;
  /** The pattern, the filesystem type or the error behind the reason. */
  detail: string;
}

export interface ExcludePattern {
  pattern: string;
  /** Why it is worth leaving out; shown in the preview. */
  reason?: string;
}

/** Never part of an image: filled by the kernel or the runtime at each start, or the platform's mounts. */
export const SYSTEM_DIRECTORIES: readonly string[] = ['proc', 'sys', 'dev', 'run', 'tmp', 'work'];

/** Offered by default, each re-created on demand by the tool that owns it. */
export const DEFAULT_EXCLUDES: readonly ExcludePattern[] = [
  {
    pattern: '~/.cache',
    reason: 'per-user caches (pip wheels and downloads, Hugging Face and torch hub downloads): re-fetched on demand',
  },
  { pattern: '~/.npm/_cacache', reason: "npm's download cache: re-fetched on demand" },
  { pattern: '/var/cache/apt', reason: '.deb archives kept after apt-get install (what apt-get clean removes)' },
  {
    pattern: '/var/lib/apt/lists',
    reason: 'apt package indexes: tens of MB, stale in any saved image; apt-get update fetches fresh ones',
  },
  {
    pattern: '~/.local/share/code-server/logs',
    reason: "code-server's logs of this machine's sessions: written anew at each start",
  },
  { pattern: '~/.local/share/code-server/heartbeat', reason: "code-server's heartbeat: rewritten while it runs" },
  {
    pattern: '~/.local/share/jupyter/runtime',
    reason: "the running Jupyter server's and kernels' connection files: written anew at each start",
  },
];

/** `~` is every user's home: root's and each one under /home. */
const HOMES = ['/root', '/home/*'];

/**
 * Compiles an exclude pattern to the expressions it matches on container paths (`/usr/lib/x`).
 * `*` is any part of one name, `?` one character, `**` any number of directories; a pattern with no
 * `/` is a name matched at any depth. A match on a directory leaves out all that is below it.
 */
export function compileExcludePattern(pattern: string): RegExp[] {
  const trimmed = pattern.trim().replace(/\/+$/, '');
  let absolute: string[];
  if (trimmed.startsWith('~/')) absolute = HOMES.map((home) => home + trimmed.slice(1));
  else if (trimmed.startsWith('/')) absolute = [trimmed];
  else if (trimmed !== '' && !trimmed.includes('/') && trimmed !== '~') absolute = [`/**/${trimmed}`];
  else {
    throw new Error(
      `exclude pattern "${pattern}": start it with / (a path in the machine), ~/ (in every home) or give a bare name (matched anywhere)`,
    );
  }
  return absolute.map((glob) => new RegExp(`^${globToRegexSource(glob)}$`));
}

function globToRegexSource(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i] as string;
    if (glob.startsWith('/**/', i)) {
      source += '(?:/.*)?/';
      i += 3;
    } else if (glob.startsWith('/**', i) && i + 3 === glob.length) {
      source += '(?:/.*)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return source;
}

/** Reads an excludes file: one pattern a line, `#` starts a comment. */
export function parseExcludesFile(text: string): ExcludePattern[] {
  return text
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '')
    .map((pattern) => ({ pattern }));
}

export interface SkipRulesOptions {
  /** The scanned root on this machine; the container's `/`. */
  root: string;
  /** Absolute mount points on this machine (from `parseMountInfo`); the root's own is ignored. */
  mountPoints?: readonly { mountPoint: string; fsType: string }[];
  excludes?: readonly ExcludePattern[];
  /** Absolute paths of the agent's own files (its baseline), never part of a snapshot. */
  agentFiles?: readonly string[];
  systemDirectories?: readonly string[];
}

interface FixedSkip {
  reason: SkipReason;
  detail: string;
}

/** Decides which paths a scan leaves out, and says why. Paths are relative to the root (`etc/hosts`). */
export class SkipRules {
  readonly excludes: readonly ExcludePattern[];
  private readonly fixed = new Map<string, FixedSkip>();
  private readonly patterns: { pattern: string; expressions: RegExp[] }[];

  constructor(options: SkipRulesOptions) {
    const root = path.resolve(options.root);
    for (const dir of options.systemDirectories ?? SYSTEM_DIRECTORIES) {
      this.fixed.set(dir, { reason: 'system', detail: 'filled at each start by the kernel or the runtime' });
    }
    for (const { mountPoint, fsType } of options.mountPoints ?? []) {
      const relative = relativeTo(root, mountPoint);
      if (relative && !this.fixed.has(relative))
        this.fixed.set(relative, { reason: 'mount', detail: `${fsType} mount` });
    }
    for (const file of options.agentFiles ?? []) {
      const relative = relativeTo(root, path.resolve(file));
      if (relative) this.fixed.set(relative, { reason: 'agent', detail: "the snapshot agent's own file" });
    }
    this.excludes = options.excludes ?? [];
    this.patterns = this.excludes.map(({ pattern }) => ({ pattern, expressions: compileExcludePattern(pattern) }));
  }

  /** Why this very path is left out, if it is (not looking at its parents: a scan never enters a skipped directory). */
  skipReason(relativePath: string): FixedSkip | undefined {
    const fixed = this.fixed.get(relativePath);
    if (fixed) return fixed;
    if (this.patterns.length === 0) return undefined;
    const containerPath = displayPath(relativePath);
    for (const { pattern, expressions } of this.patterns) {
      if (expressions.some((expression) => expression.test(containerPath)))
        return { reason: 'exclude', detail: pattern };
    }
    return undefined;
  }

  /** Whether the path or one of its parents is left out: for baseline entries checked against today's rules. */
  covers(relativePath: string): boolean {
    for (let at = relativePath; at !== ''; at = at.slice(0, Math.max(0, at.lastIndexOf('/')))) {
      if (this.skipReason(at)) return true;
    }
    return false;
  }
}

/** `child` relative to `root`, or undefined when it is the root itself or outside it. */
function relativeTo(root: string, child: string): string | undefined {
  if (root === '/') return child === '/' ? undefined : child.slice(1);
  return child.startsWith(`${root}/`) ? child.slice(root.length + 1) : undefined;
}
