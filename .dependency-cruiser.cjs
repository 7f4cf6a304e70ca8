/**
 * Architecture rules (issue 13, item 5), checked by `npm run lint:arch` inside `npm test`.
 *
 * The layers, bottom to top: src/core (the step machine, the pipeline, the ports and pure helpers: no SDK, no
 * Node I/O) < the adapters that implement its ports (src/graph, src/store, src/sources, src/auth, src/config,
 * src/mirror, src/read, src/api, src/telemetry) < the assemblers (src/functions and src/index.ts for the
 * Functions app, src/cli for the command line, src/localhost for the local Functions host). src/emulator is a
 * stand-alone fake of Microsoft Graph and shares only a few pure pieces of the core with the app.
 *
 * test/ and bench/ are not constrained: they may import anything. Only src/ is cruised (see package.json).
 * A `.cjs` file because the package is ESM ("type": "module") and dependency-cruiser loads its config with
 * require().
 */

/** Node built-ins that do I/O: none of them belongs in the core (they belong in the adapters). */
const NODE_IO = [
  "fs",
  "fs/promises",
  "http",
  "https",
  "http2",
  "net",
  "tls",
  "dgram",
  "dns",
  "dns/promises",
  "child_process",
  "cluster",
  "worker_threads",
  "readline",
  "os",
  "process",
  "tty",
  "inspector",
  "vm",
  "v8",
];

/**
 * What the deployed Functions package leaves out (see .funcignore): these files are absent when the Flex
 * Consumption remote build compiles the app, so nothing that ships may import them.
 */
const NOT_DEPLOYED = "^(src/(emulator|localhost|cli)/|bench/|test/)";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "No import cycles in src (type-only imports count too): a cycle means two modules are one module, and it " +
        "makes load order matter. Move the shared piece into its own module both can import.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "no-imports-from-cli",
      severity: "error",
      comment:
        "src/cli assembles the command line; nothing below it imports it. bin/graph-mirror.js (outside src) is " +
        "its only user. Move a piece both need down (e.g. src/core/shared/progressBar.ts).",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "no-imports-from-functions",
      severity: "error",
      comment:
        "src/functions registers and wires the Azure Functions; nothing below it imports it. The one exception is " +
        "src/index.ts, the Functions app's entry point (package.json main), which imports every registration. " +
        "The local host (src/localhost) loads the app the way the Functions host does, through package.json " +
        "main at run time, so it needs no static import of src/functions either.",
      from: { path: "^src/", pathNot: ["^src/functions/", "^src/index\\.ts$"] },
      to: { path: "^src/functions/" },
    },
    {
      name: "core-imports-only-core",
      severity: "error",
      comment:
        "The core defines the ports; the adapters (graph, store, sources, auth, config, mirror, ...) implement " +
        "them. So the core never imports another folder of src: a type it needs is declared in the core.",
      from: { path: "^src/core/" },
      to: { path: "^src/", pathNot: "^src/core/" },
    },
    {
      name: "core-no-sdk",
      severity: "error",
      comment:
        "The core never imports an SDK or any other package (@azure/*, @microsoft/*, ssh2, @opentelemetry/*, ...), " +
        "not even for a type: adapters implement the core's ports. The one exception is zod, for the type of its " +
        "issues in src/core/shared/validationError.ts (the project's validation error).",
      from: { path: "^src/core/" },
      to: {
        dependencyTypes: [
          "npm",
          "npm-dev",
          "npm-optional",
          "npm-peer",
          "npm-bundled",
          "npm-no-pkg",
          "npm-unknown",
        ],
        pathNot: "^node_modules/zod/",
      },
    },
    {
      name: "core-no-node-io",
      severity: "error",
      comment:
        "The core does no I/O of its own (files, sockets, processes): it reaches the outside through its ports. " +
        "Pure built-ins (timers/promises, crypto, ...) are fine.",
      from: { path: "^src/core/" },
      to: { dependencyTypes: ["core"], path: `^(node:)?(${NODE_IO.join("|")})$` },
    },
    {
      name: "emulator-stands-alone",
      severity: "error",
      comment:
        "The emulator is an independent fake of Microsoft Graph: if it shared the app's code, the app's tests " +
        "against it would check the code against itself. It may import only these pure pieces: the QuickXorHash " +
        "Graph defines, the job's ConflictBehavior type, the Clock port, the validation error, and " +
        "src/store/atomicFile.ts (a leaf: the crash-safe 0600 write its snapshot needs, since the snapshot holds " +
        "upload secrets; the rule atomic-file-is-a-leaf keeps it free of app code).",
      from: { path: "^src/emulator/" },
      to: {
        path: "^src/",
        pathNot: [
          "^src/emulator/",
          "^src/core/(shared/quickXorHash|job/job|ports/common|shared/validationError)\\.ts$",
          "^src/store/atomicFile\\.ts$",
        ],
      },
    },
    {
      name: "atomic-file-is-a-leaf",
      severity: "error",
      comment: "src/store/atomicFile.ts is shared with the emulator, so it imports nothing from src.",
      from: { path: "^src/store/atomicFile\\.ts$" },
      to: { path: "^src/" },
    },
    {
      name: "src-not-into-tests-or-bench",
      severity: "error",
      comment: "Application code never imports tests or benchmarks.",
      from: { path: "^src/" },
      to: { path: "^(test|bench)/" },
    },
    {
      name: "deployed-code-stays-deployable",
      severity: "error",
      comment:
        "Everything that ships to Azure (src minus the emulator, the local host and the CLI; see .funcignore) " +
        "is compiled by the remote build without the excluded folders, so it must not import them. This covers " +
        "the deployed entry points (src/index.ts, src/functions/*.ts) and every file that is compiled with them.",
      from: { path: "^src/", pathNot: NOT_DEPLOYED },
      to: { path: NOT_DEPLOYED },
    },
    {
      name: "entry-points-reach-nothing-excluded",
      severity: "error",
      comment:
        "The deployed entry points (src/index.ts and src/functions/*.ts, package.json main) never reach an " +
        "excluded file, however indirectly (dynamic imports included).",
      from: { path: "^src/(index\\.ts$|functions/)" },
      to: { path: NOT_DEPLOYED, reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count: a cycle or an SDK type in the core is a dependency all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".d.ts", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
