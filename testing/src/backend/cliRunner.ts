import { expect } from 'vitest';
import { runCli, type CliDeps } from '../../../backend/src/cli/program.js';
import { TOKENS, type PlatformFixture, type TestUser } from './platformFixture.js';

/** Where a command's output goes in a test: all it has printed so far, readable while it runs (a follow). */
export interface OutputSink {
  text: string;
  write(text: string): boolean;
}
export function outputSink(): OutputSink {
  return {
    text: '',
    write(text: string) {
      this.text += text;
      return true;
    },
  };
}

/** `aiplat <args>` run in-process against a test platform as `user`: its exit code and what it printed. */
export function cliRunner(fx: PlatformFixture, user: TestUser = 'alice', env: Record<string, string> = {}) {
  return async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const deps: CliDeps = {
      stdout: { write: (text: string) => ((stdout += text), true) },
      stderr: { write: (text: string) => ((stderr += text), true) },
      env: { AIPLAT_SERVER: fx.baseUrl, AIPLAT_TOKEN: TOKENS[user], ...env },
      cwd: fx.dir,
      readStdin: () => Promise.resolve(''),
      pollIntervalMs: 50,
    };
    const code = await runCli(args, deps);
    expect(stderr, 'never a stack trace').not.toMatch(/^\s+at /m);
    return { code, stdout, stderr };
  };
}
