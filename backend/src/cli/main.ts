#!/usr/bin/env node
import { processDeps } from './context.js';
import { runCli } from './program.js';

// The `aiplat` bin: the only file of the CLI with side effects.

// `aiplat logs JOB | head`: a reader that went away is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => process.exit(error.code === 'EPIPE' ? 0 : 1));

const code = await runCli(process.argv.slice(2), processDeps());
// Exit once stdout has taken everything written (a pipe may still be draining), ending any socket left open.
process.stdout.write('', () => process.exit(code));
