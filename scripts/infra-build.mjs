#!/usr/bin/env node
import { spawnSync } from "node:child_process";
// npm run infra:build — compile and lint every Bicep template under infra/ with the real Bicep compiler, and
// write the ARM JSON to .local/infra/ (git-ignored) for the ARM-level tests (npm run test:infra).
//
// The compiler comes from, in order: `bicep` on PATH, `az bicep` (Azure CLI), or NuGet through `dotnet restore`
// of infra/tools/bicep-cli.csproj (pinned version, restored into .local/bicep/). The NuGet path exists because
// CI machines and this project's build environment have the .NET SDK and a NuGet registry but cannot download
// the Bicep binary from GitHub, which is what `az bicep install` does.
//
// Any diagnostic fails the build, warnings included: infra/bicepconfig.json raises every linter rule to error,
// and compiler warnings (BCPxxx, e.g. a property the API version does not know) are caught here from the output.
//
// `npm run infra:build -- --api-versions` only reports resource API versions older than two years (the linter
// rule that is off in bicepconfig.json because it depends on the date), and never fails.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const INFRA = path.join(ROOT, "infra");
const TOOLS_PROJECT = path.join(INFRA, "tools", "bicep-cli.csproj");
const BICEP_HOME = path.join(ROOT, ".local", "bicep");
const OUT = path.join(ROOT, ".local", "infra");
/** A diagnostic line as Bicep prints it: `<file>(line,col) : Warning|Error <code>: <message>`. */
const DIAGNOSTIC = /\(\d+,\d+\) : (Warning|Error|Info) [\w-]+: /;

class BuildError extends Error {}

function main() {
  const apiVersionsOnly = process.argv.includes("--api-versions");
  const bicep = findBicep();
  console.log(`Bicep: ${bicep.description}`);
  const templates = findTemplates(INFRA);
  if (apiVersionsOnly) return reportApiVersions(bicep, templates);

  rmSync(OUT, { recursive: true, force: true });
  const problems = [];
  for (const template of templates) {
    const relative = path.relative(INFRA, template);
    const outfile = path.join(OUT, relative.replace(/\.bicep$/, ".json"));
    mkdirSync(path.dirname(outfile), { recursive: true });
    // lint runs the linter (rules from infra/bicepconfig.json) and the compiler's own checks; build writes ARM.
    for (const args of [bicep.lint(template), bicep.build(template, outfile)]) {
      const result = run(args[0], args.slice(1));
      const diagnostics = result.output.split(/\r?\n/).filter((line) => DIAGNOSTIC.test(line));
      for (const line of diagnostics) if (!problems.includes(line)) problems.push(line);
      if (result.status !== 0 && diagnostics.length === 0)
        problems.push(`${relative}: ${args.join(" ")} exited with ${result.status}\n${result.output.trim()}`);
    }
    if (existsSync(outfile)) console.log(`  ${relative} -> ${path.relative(ROOT, outfile)}`);
  }
  if (problems.length > 0) {
    rmSync(OUT, { recursive: true, force: true });
    throw new BuildError(
      `${problems.length} Bicep diagnostic(s); warnings count as errors:\n${problems.join("\n")}`,
    );
  }
  // What the ARM tests check before trusting the JSON: built by this compiler from these exact sources.
  const sources = Object.fromEntries(
    templates.map((file) => [path.relative(ROOT, file), sha256(file)]).concat(sourceInputs()),
  );
  writeFileSync(
    path.join(OUT, "build-info.json"),
    `${JSON.stringify({ bicep: bicep.version, sources }, null, 2)}\n`,
  );
  console.log(`${templates.length} template(s) compiled and linted with no warnings.`);
}

/** Files the templates read at compile time (loadJsonContent) or that steer the linter. */
function sourceInputs() {
  return ["infra/mirrors.json", "infra/bicepconfig.json"].map((file) => [
    file,
    sha256(path.join(ROOT, file)),
  ]);
}

function sha256(file) {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

function findTemplates(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== "tools") found.push(...findTemplates(full));
    else if (entry.isFile() && entry.name.endsWith(".bicep")) found.push(full);
  }
  return found.sort();
}

function onPath(command) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, DOTNET_NOLOGO: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
  });
  if (result.error) throw new BuildError(`cannot run ${command}: ${result.error.message}`);
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

function standalone(executable, description) {
  const version = run(executable, ["--version"]).output.trim();
  return {
    description: `${description} (${version})`,
    version,
    lint: (file) => [executable, "lint", file],
    build: (file, outfile) => [executable, "build", file, "--outfile", outfile],
    withConfig: (args, config) => [...args, "--config", config],
  };
}

function findBicep() {
  const bicep = onPath("bicep");
  if (bicep) return standalone(bicep, `${bicep} from PATH`);
  const az = onPath("az");
  if (az) {
    const version = run(az, ["bicep", "version"]).output.trim();
    return {
      description: `az bicep (${version})`,
      version,
      lint: (file) => [az, "bicep", "lint", "--file", file],
      build: (file, outfile) => [az, "bicep", "build", "--file", file, "--outfile", outfile],
      withConfig: (args) => args, // az bicep has no --config; its report uses bicepconfig.json as it is.
    };
  }
  const dotnet = onPath("dotnet");
  if (dotnet) return fromNuGet(dotnet);
  throw new BuildError(
    [
      "npm run infra:build needs the Bicep compiler, and none of bicep, az or dotnet is on PATH.",
      "Install one of them:",
      "  - the .NET SDK (8 or later): this script then fetches the pinned Bicep CLI from NuGet",
      "    (infra/tools/bicep-cli.csproj) into .local/bicep/;",
      "  - the Azure CLI, then `az bicep install`;",
      "  - the Bicep CLI itself (https://aka.ms/bicep-install).",
      "npm test does not need it; CI (.ci/run) does.",
    ].join("\n"),
  );
}

/** NuGet runtime identifier of the machine: the package that carries its native bicep executable. */
function runtimeId() {
  const os = { linux: "linux", darwin: "osx", win32: "win" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (!os || !arch) throw new BuildError(`no Bicep CLI package for ${process.platform}-${process.arch}`);
  return `${os}-${arch}`;
}

function fromNuGet(dotnet) {
  const project = readFileSync(TOOLS_PROJECT, "utf8");
  const version = /<BicepVersion>([^<]+)<\/BicepVersion>/.exec(project)?.[1];
  if (!version) throw new BuildError(`${path.relative(ROOT, TOOLS_PROJECT)} has no <BicepVersion>`);
  const rid = runtimeId();
  const packages = path.join(BICEP_HOME, "packages");
  const executable = path.join(
    packages,
    `azure.bicep.commandline.${rid}`,
    version,
    "tools",
    rid.startsWith("win") ? "bicep.exe" : "bicep",
  );
  if (!existsSync(executable)) {
    console.log(`Fetching Azure.Bicep.CommandLine.${rid} ${version} from NuGet with dotnet restore ...`);
    const restore = run(dotnet, [
      "restore",
      TOOLS_PROJECT,
      "--packages",
      packages,
      `-p:BicepRuntime=${rid}`,
      // Keep restore's obj/ output out of the source tree too.
      `-p:MSBuildProjectExtensionsPath=${path.join(BICEP_HOME, "obj")}${path.sep}`,
    ]);
    if (restore.status !== 0)
      throw new BuildError(
        `dotnet restore of ${path.relative(ROOT, TOOLS_PROJECT)} failed (is a NuGet feed reachable?):\n${restore.output.trim()}`,
      );
    if (!existsSync(executable))
      throw new BuildError(`the restored package has no ${path.relative(ROOT, executable)}`);
  }
  // NuGet extracts files without guaranteeing the execute bit for everyone.
  if (!rid.startsWith("win")) chmodSync(executable, 0o755);
  const bicep = standalone(executable, `Azure.Bicep.CommandLine.${rid} ${version} from NuGet`);
  if (!bicep.version.includes(version))
    throw new BuildError(`expected Bicep ${version}, ${executable} says: ${bicep.version}`);
  return bicep;
}

function reportApiVersions(bicep, templates) {
  const configText = readFileSync(path.join(INFRA, "bicepconfig.json"), "utf8").replace(
    /"use-recent-api-versions": \{ "level": "off" \}/,
    '"use-recent-api-versions": { "level": "warning" }',
  );
  mkdirSync(BICEP_HOME, { recursive: true });
  const config = path.join(BICEP_HOME, "bicepconfig.api-versions.json");
  writeFileSync(config, configText);
  let aged = 0;
  for (const template of templates) {
    const args = bicep.withConfig(bicep.lint(template), config);
    for (const line of run(args[0], args.slice(1)).output.split(/\r?\n/)) {
      if (!line.includes("use-recent-api-versions")) continue;
      console.log(line);
      aged++;
    }
  }
  console.log(aged === 0 ? "Every API version is recent." : `${aged} API version(s) older than two years.`);
}

try {
  main();
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  console.error(`infra:build: ${err.message}`);
  process.exitCode = 1;
}
