import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext, Connection, GlobalOptions } from '../context.js';
import { messages } from '../messages.js';

/** The connection for a command, from --server/--token given before or after the command name. */
export function connect(ctx: CliContext, command: Command): Connection {
  return ctx.connect(command.optsWithGlobals<GlobalOptions>());
}

/** `-o, --output <format>` limited to `formats`. */
export function outputOption(formats: readonly string[]): Option {
  return new Option('-o, --output <format>', messages.output.formats(formats)).choices(formats);
}

/** A parser for whole-number options from `min` to `max`, with `message` when the value is not one. */
export function wholeNumber(min: number, max: number, message: (value: string) => string) {
  return (value: string): number => {
    const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(message(value));
    return n;
  };
}

/** Comma-separated values, each one of `allowed`. */
export function listOf<T extends string>(allowed: readonly T[], message: (value: string) => string) {
  return (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of items)
      if (!(allowed as readonly string[]).includes(item)) throw new InvalidArgumentError(message(item));
    return items as T[];
  };
}
