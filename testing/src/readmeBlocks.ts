/**
 * The shell blocks of a Markdown file, for tests that run a README's examples as written. Each
 * ```sh (or bash, shell) block is preceded by a marker comment saying what the test does with it:
 *
 *   <!-- readme-test: run -->               run it, in order, in one "terminal"
 *   <!-- readme-test: server -->            it starts the platform; the test runs it in the background
 *   <!-- readme-test: skip — <reason> -->   not run here, and why
 *
 * A shell block without a marker is reported as such, so that no example escapes the test unnoticed.
 */

export type ReadmeBlockMode = 'run' | 'server' | 'skip';

export interface ReadmeShellBlock {
  /** 1-based line of the opening fence. */
  line: number;
  /** What its marker says; undefined when it has none. */
  mode: ReadmeBlockMode | undefined;
  /** The text after the mode in the marker (a skip's reason). */
  note: string;
  /** The block's content, without the fences and without the indentation of its fence. */
  code: string;
}

const SHELL_LANGUAGES = new Set(['sh', 'bash', 'shell']);
const MARKER = /^\s*<!--\s*readme-test:\s*(\S+)\s*(.*?)\s*-->\s*$/;
const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/;

/** Every fenced shell block of `markdown`, in order, with its marker. Throws on an unknown mode. */
export function readmeShellBlocks(markdown: string): ReadmeShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '', language = ''] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').trim().startsWith(fence)) end++;
    if (SHELL_LANGUAGES.has(language.toLowerCase())) {
      let previous = i - 1;
      while (previous >= 0 && (lines[previous] ?? '').trim() === '') previous--;
      const marker = MARKER.exec(lines[previous] ?? '');
      const mode = marker?.[1];
      if (mode !== undefined && mode !== 'run' && mode !== 'server' && mode !== 'skip')
        throw new Error(`line ${previous + 1}: unknown readme-test mode "${mode}" (run, server or skip)`);
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
        .join('\n');
      blocks.push({ line: i + 1, mode, note: marker?.[2] ?? '', code: `${code}\n` });
    }
    i = end;
  }
  return blocks;
}
