// Prints the folders under the repository's node_modules that code-server needs at run time: npm
// workspaces hoist its dependencies there, so a copy of node_modules/code-server alone does not run.
// Each printed folder is a top-level package (what it nests comes with it).
//   node images/devmachine-local/code-server-deps.mjs <repo root>
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.argv[2] ?? '.');
const top = path.join(root, 'node_modules');
const seen = new Set();
const hoisted = [];

/** Where `name` resolves from `dir`, as Node looks it up: the nearest node_modules upwards. */
function resolve(dir, name) {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

function visit(dir) {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const name of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) {
    const found = resolve(dir, name);
    if (!found || seen.has(found)) continue;
    seen.add(found);
    const relative = path.relative(top, found);
    if (!relative.startsWith('..') && !relative.includes(`${path.sep}node_modules${path.sep}`)) hoisted.push(found);
    visit(found);
  }
}

visit(path.join(top, 'code-server'));
process.stdout.write(hoisted.filter((dir) => dir !== path.join(top, 'code-server')).join('\n') + '\n');
