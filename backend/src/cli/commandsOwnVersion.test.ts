import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandsOwnVersion } from './program.js';

/* commander hands every --version to the program; a command with its own keeps it this way. */

function program(): Command {
  const root = new Command().version('1.0', '-V, --version');
  const service = root.command('service');
  service.command('logs').argument('<name>').option('--version <n>');
  service.command('get').argument('<name>');
  return root;
}

describe("a command's own --version", () => {
  it('goes to a command that has one, as --version=V', () => {
    expect(commandsOwnVersion(program(), ['service', 'logs', 'chat', '--version', '2', '-f'])).toEqual([
      'service',
      'logs',
      'chat',
      '--version=2',
      '-f',
    ]);
    // Without its value, the command says what it wants.
    expect(commandsOwnVersion(program(), ['service', 'logs', 'chat', '--version'])).toEqual([
      'service',
      'logs',
      'chat',
      '--version=',
    ]);
  });

  it("stays the CLI's before a command, after one without its own, and after --", () => {
    for (const args of [
      ['--version'],
      ['service', 'get', 'chat', '--version'],
      ['service', 'logs', 'chat', '--', '--version', '2'],
    ]) {
      expect(commandsOwnVersion(program(), args)).toEqual(args);
    }
  });
});
