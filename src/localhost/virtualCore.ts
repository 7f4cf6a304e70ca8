/**
 * Provides `@azure/functions-core` to `@azure/functions`, so the app's own `app.http` / `app.storageQueue` /
 * `app.timer` calls register for real, as inside Azure, instead of the library's "test mode" that skips them
 * (docs/platform.md). The library is CommonJS and looks the module up with `require("@azure/functions-core")`
 * (src/utils/tryGetCoreApiLazy.ts), so a resolver hook plus a `require.cache` entry is enough. It must be in
 * place before the library registers its first function: {@link installVirtualCore} runs before the app loads.
 */
import { createRequire } from "node:module";
import type { FunctionCallback, FunctionMetadata, ProgrammingModel } from "./coreTypes.js";

export interface Registration {
  readonly metadata: FunctionMetadata;
  readonly handler: FunctionCallback;
}

export interface VirtualCore {
  readonly registrations: Registration[];
  programmingModel(): ProgrammingModel;
}

const MODULE_NAME = "@azure/functions-core";
const VIRTUAL_FILENAME = "/virtual/@azure/functions-core/index.js";

const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: Node's Module internals are untyped; narrowed right below.
const Module = require("node:module") as any as ModuleInternals;

interface ModuleInternals {
  new (id: string): { exports: unknown; loaded: boolean; filename: string };
  _resolveFilename(request: string, ...rest: unknown[]): string;
}

let installed: VirtualCore | undefined;

export function installVirtualCore(log: (level: string, message: string) => void): VirtualCore {
  if (installed) return installed;
  const registrations: Registration[] = [];
  let model: ProgrammingModel | undefined;

  const core = {
    version: "4.0.0-graph-mirror-localhost",
    hostVersion: "4.0.0-graph-mirror-localhost",
    setProgrammingModel(next: ProgrammingModel): void {
      model = next;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
      return model;
    },
    registerFunction(metadata: FunctionMetadata, handler: FunctionCallback) {
      if (registrations.some((r) => r.metadata.name === metadata.name))
        throw new Error(`a function named "${metadata.name}" is already registered`);
      registrations.push({ metadata, handler });
      return {
        dispose: () =>
          registrations.splice(
            registrations.findIndex((r) => r.handler === handler),
            1,
          ),
      };
    },
    // Hooks are the app's business (none registered here); the worker would run them around invocations.
    registerHook: () => ({ dispose: () => undefined }),
    log(level: string, category: string, message: string): void {
      log(level, `[${category}] ${message}`);
    },
    Disposable: class {
      constructor(private readonly callOnDispose: () => void) {}
      dispose(): void {
        this.callOnDispose();
      }
    },
  };

  const original = Module._resolveFilename;
  Module._resolveFilename = function resolve(this: unknown, request: string, ...rest: unknown[]): string {
    if (request === MODULE_NAME) return VIRTUAL_FILENAME;
    return original.call(this, request, ...rest);
  };
  const virtual = new Module(VIRTUAL_FILENAME);
  virtual.filename = VIRTUAL_FILENAME;
  virtual.exports = core;
  virtual.loaded = true;
  require.cache[VIRTUAL_FILENAME] = virtual as unknown as NodeJS.Module;

  installed = {
    registrations,
    programmingModel(): ProgrammingModel {
      if (!model)
        throw new Error("the app loaded no @azure/functions registrations (no programming model set)");
      return model;
    },
  };
  return installed;
}
