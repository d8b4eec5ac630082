import { describe, expect, it } from 'vitest';
import { formatAgentLine, parseAgentLine, type AgentLine } from './agentProtocol.js';

describe('agent protocol', () => {
  it('reads back each line it writes', () => {
    const lines: AgentLine[] = [
      { plan: { bytes: 100, files: 20 } },
      { progress: { bytes: 10, files: 2 } },
      { done: { digest: 'sha256:aa', diffId: 'sha256:bb', size: 30, files: 2 } },
      { error: 'no baseline at /x' },
    ];
    for (const line of lines) expect(parseAgentLine(formatAgentLine(line).trim())).toEqual(line);
  });

  it('names what is not a protocol line', () => {
    expect(() => parseAgentLine('Segmentation fault')).toThrow(/not its protocol: Segmentation fault/);
    expect(() => parseAgentLine('{"progress":{"bytes":"1"}}')).toThrow(/not its protocol/);
  });
});
