import { describe, expect, it } from 'vitest';
import { readmeShellBlocks } from './readmeBlocks.js';

describe('readmeShellBlocks', () => {
  it('finds shell blocks with the marker before them, nested in lists too, and ignores other languages', () => {
    const markdown = [
      '<!-- readme-test: skip — needs a cluster -->',
      '',
      '```sh',
      'kubectl get pods',
      '```',
      '',
      '```yaml',
      'a: 1',
      '```',
      '',
      '- a list item',
      '  <!-- readme-test: run -->',
      '  ```bash',
      '  echo one',
      '    echo two',
      '  ```',
      '',
      '```sh',
      'echo unmarked',
      '```',
    ].join('\n');
    expect(readmeShellBlocks(markdown)).toEqual([
      { line: 3, mode: 'skip', note: '— needs a cluster', code: 'kubectl get pods\n' },
      { line: 13, mode: 'run', note: '', code: 'echo one\n  echo two\n' },
      { line: 18, mode: undefined, note: '', code: 'echo unmarked\n' },
    ]);
  });

  it('refuses a marker it does not know', () => {
    expect(() => readmeShellBlocks('<!-- readme-test: runn -->\n```sh\ntrue\n```\n')).toThrow(
      /unknown readme-test mode "runn"/,
    );
  });
});
