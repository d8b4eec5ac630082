/*
 * Build step (not part of the extension): `npm run build` bundles this file with esbuild, pipes it
 * to node, and it writes the job.yaml schema to the path given as its first argument.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jobJsonSchema } from './jobJsonSchema.js';

const target = process.argv.at(-1);
if (!target || !target.endsWith('.json')) throw new Error('usage: writeJobSchema <out.json>');
mkdirSync(path.dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(jobJsonSchema(), null, 2)}\n`);
