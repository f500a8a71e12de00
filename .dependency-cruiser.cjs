// The dependency rules of DESIGN.md ("The shape", rule 1), checked by `npm run deps` and CI:
// dependencies point down. Pure folders import only pure folders; a node knows no HTTP,
// supervisor, console or CLI; core imports nothing of the apps on top of it (bench, Electron,
// the renderer); the benchmark is a client; the renderer sees only AdminApi and pure helpers;
// the TypeScript clients load none of the server; no two folders import each other, however
// indirectly; and every import resolves. Type-only imports count: a type is a dependency too.

/** The pure folders (tsconfig.pure.json compiles them without Node's types). */
const pure = '^core/(common|ring|version|merkle|membership|coordinator|admin)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'pure-imports-pure',
      comment:
        'A pure folder (core/common, ring, version, merkle, membership, admin) imports only pure folders: ' +
        'no Node built-ins, no packages, nothing with I/O. Time, randomness, network and disk are injected.',
      severity: 'error',
      from: { path: pure, pathNot: '^core/coordinator/' },
      to: { pathNot: pure },
    },
    {
      name: 'coordinator-imports-pure-and-xstate',
      comment: 'core/coordinator holds pure cores and their XState machines: pure folders and xstate only.',
      severity: 'error',
      from: { path: '^core/coordinator/' },
      to: { pathNot: [pure, '^node_modules/xstate/'] },
    },
    {
      name: 'runtime-imports-common',
      comment: "core/runtime implements core/common's interfaces for the real world; it depends on nothing else of ours.",
      severity: 'error',
      from: { path: '^core/runtime/' },
      to: { pathNot: '^core/common/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'node-knows-no-server',
      comment:
        'core/node composes the store; HTTP (core/api), the supervisor and process entry (core/host), ' +
        'the console and the CLI sit on top of it, and so do their libraries.',
      severity: 'error',
      from: { path: '^core/node/' },
      to: {
        path: ['^core/(api|host|cli|cli-kit|console)/', '^node_modules/(fastify|@fastify/[^/]+|pino|commander)/'],
      },
    },
    {
      name: 'core-imports-no-apps',
      comment: 'core is the back end: it never imports the benchmark, Electron or the renderer (nor React).',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: ['^(bench|electron|renderer)/', '^node_modules/(electron|react|react-dom)/'] },
    },
    {
      name: 'bench-is-a-client',
      comment:
        "bench/ uses core's public pieces (core/host, core/api, core/cli-kit) as a client would, " +
        'never the CLI itself: the `dynamo` command composes the two (bin/dynamo.js).',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^core/cli/' },
    },
    {
      name: 'cli-kit-is-generic',
      comment: 'core/cli-kit (exit, argument parsers) serves every command-line program: it knows no store and no server.',
      severity: 'error',
      from: { path: '^core/cli-kit/' },
      to: { path: '^core/(node|api|host|cli|console|storage)/' },
    },
    {
      name: 'renderer-sees-admin-and-pure',
      comment: 'The renderer talks to an AdminApi (core/admin) and uses pure helpers; never Electron, HTTP or a node.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^core/', '^electron/', '^node_modules/electron/'], pathNot: pure },
    },
    {
      name: 'clients-load-no-server',
      comment:
        'The TypeScript clients (core/api/client.ts, partition-client.ts) depend on pure code, the real clock ' +
        'and undici only: a client process loads nothing of a node, the host or the CLI.',
      severity: 'error',
      from: { path: '^core/api/(client|partition-client)\\.ts$' },
      to: { pathNot: [pure, '^core/runtime/', '^core/api/(client|errors)\\.ts$', '^node_modules/undici/'] },
    },
    {
      name: 'no-circular-folders',
      comment: 'Two folders never depend on each other, however indirectly: the layers stay a stack.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves: a missing module or a typo in a path fails here, not at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // typescript 7 (native) has no JavaScript API for dependency-cruiser to parse with; swc
    // parses TypeScript, type-only imports included.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    // The swc parser reads every file as TypeScript without JSX; the renderer's .tsx files are
    // checked by test/renderer/renderer-imports.test.ts instead (same rule: core/admin and pure only).
    exclude: { path: ['^dist/', '\\.test\\.ts$', '^renderer/.*\\.tsx$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
