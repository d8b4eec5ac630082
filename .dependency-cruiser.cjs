/*
 * The backend's layers (CONTRIBUTING.md): the engine-neutral core never imports an engine, engines
 * do not import each other, product code never imports test machinery, and no module imports
 * itself through others. Run by `npm run lint` (and so by `npm test`).
 */
// The wiring: composition.ts and its parts (`<part>Composition.ts`) beside it, config.ts, main.ts.
const CORE_NOT_ENGINE =
  '^backend/src/(?!engines/|cli/|(composition|[a-z][A-Za-z]*Composition|config|main)(\\.test)?\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle: split the shared part into a module both import.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-engine',
      comment:
        'The engine-neutral core (jobs/, server/, workspace/, store/, logs/, …) never imports an engine: declare an interface in the core and let the engine implement it; composition.ts wires them.',
      severity: 'error',
      from: { path: CORE_NOT_ENGINE },
      to: { path: '^backend/src/engines/' },
    },
    {
      name: 'engines-independent',
      comment: 'One engine never imports another: what both need belongs to the core.',
      severity: 'error',
      from: { path: '^backend/src/engines/([^/]+)/' },
      to: { path: '^backend/src/engines/', pathNot: '^backend/src/engines/$1/' },
    },
    {
      name: 'product-imports-no-test-machinery',
      comment: 'Fakes, fixtures and harnesses live in testing/: product code never imports them.',
      severity: 'error',
      from: { path: '^(api|backend)/src/', pathNot: '\\.test\\.ts$' },
      to: { path: '^testing/|^backend/src/test/' },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.base.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|lib|node_modules)/' },
  },
};
