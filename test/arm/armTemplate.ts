/**
 * Reads the ARM JSON that `npm run infra:build` compiles from infra/*.bicep (.local/infra) and evaluates the
 * template language expressions in it, with realistic values for what only Azure knows (the module outputs and
 * the identity's ids). The evaluator knows the functions the compiled templates use and throws on any other, so a
 * template change it cannot follow fails the tests instead of passing them.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const ARM_DIR = path.join(ROOT, ".local", "infra");

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface ArmTemplate {
  readonly parameters: Record<
    string,
    { type: string; defaultValue?: Json; allowedValues?: Json[] } & JsonObject
  >;
  readonly variables?: JsonObject;
  readonly resources: Record<string, JsonObject>;
  readonly outputs?: Record<string, { type: string; value: Json }>;
}

/** The compiled main template, after checking it was built from the sources as they are now. */
export function loadMainTemplate(): ArmTemplate {
  const info = path.join(ARM_DIR, "build-info.json");
  if (!existsSync(info))
    throw new Error(
      "No compiled templates in .local/infra: run `npm run infra:build` first (CI's .ci/run does).",
    );
  const { sources } = JSON.parse(readFileSync(info, "utf8")) as { sources: Record<string, string> };
  for (const [file, hash] of Object.entries(sources)) {
    const now = existsSync(path.join(ROOT, file))
      ? createHash("sha256")
          .update(readFileSync(path.join(ROOT, file)))
          .digest("hex")
      : "missing";
    if (now !== hash)
      throw new Error(`${file} changed since the last build: run \`npm run infra:build\` again.`);
  }
  return JSON.parse(readFileSync(path.join(ARM_DIR, "main.json"), "utf8")) as ArmTemplate;
}

export interface Scope {
  readonly template: ArmTemplate;
  /** Values of the template's parameters (inputs; defaults are evaluated on demand). */
  readonly inputs: Readonly<Record<string, Json>>;
  /** reference('<symbolic name>') results: a module's `{ outputs: { name: { value } } }` or a resource's properties. */
  readonly references: Readonly<Record<string, Json>>;
  readonly copyIndex?: number;
  /** Indexes of named copy loops (variable loops: `copyIndex('items')`). */
  readonly namedCopyIndexes?: Readonly<Record<string, number>>;
}

/** What Azure returns at deployment time, public cloud. */
export const IDENTITY = {
  clientId: "3f0c2b9e-7d41-4a51-9a43-2f6b8c1d0e55",
  principalId: "9d2e6a4b-0c1f-4e8d-b7a6-5f4e3d2c1b0a",
} as const;
export const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const RESOURCE_GROUP_ID =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-graph-mirror";
const TOKEN = "q7w3x2k5abcde";

export const PLATFORM_REFERENCES: Record<string, Json> = {
  identity: IDENTITY,
  storage: {
    outputs: {
      name: { value: `stgm${TOKEN}` },
      id: { value: resourceIdOf("Microsoft.Storage/storageAccounts", `stgm${TOKEN}`) },
      blobEndpoint: { value: `https://stgm${TOKEN}.blob.core.windows.net/` },
      queueEndpoint: { value: `https://stgm${TOKEN}.queue.core.windows.net/` },
      tableEndpoint: { value: `https://stgm${TOKEN}.table.core.windows.net/` },
    },
  },
  monitoring: {
    outputs: {
      connectionString: {
        value:
          "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://swedencentral-0.in.applicationinsights.azure.com/",
      },
      applicationInsightsName: { value: `appi-graph-mirror-${TOKEN}` },
      applicationInsightsId: {
        value: resourceIdOf("Microsoft.Insights/components", `appi-graph-mirror-${TOKEN}`),
      },
      logAnalyticsName: { value: `log-graph-mirror-${TOKEN}` },
    },
  },
  keyVault: {
    outputs: {
      name: { value: `kv-gm-${TOKEN}` },
      vaultUri: { value: `https://kv-gm-${TOKEN}.vault.azure.net/` },
    },
  },
  functionApp: {
    outputs: {
      name: { value: `func-graph-mirror-${TOKEN}` },
      defaultHostName: { value: `func-graph-mirror-${TOKEN}.azurewebsites.net` },
    },
  },
};

/** A fail() the deployment reached: ARM stops the deployment with this message. */
export class ArmDeploymentFailure extends Error {}

export function parameter(scope: Scope, name: string): Json {
  if (name in scope.inputs) return scope.inputs[name] as Json;
  const declared = scope.template.parameters[name];
  if (!declared) throw new Error(`unknown parameter ${name}`);
  if (declared.defaultValue === undefined) throw new Error(`parameter ${name} has no default and no input`);
  return evaluate(declared.defaultValue, scope);
}

/** Evaluates a JSON value: every "[expression]" string in it, recursively (keys included). */
export function evaluate(value: Json, scope: Scope): Json {
  if (typeof value === "string") {
    if (value.startsWith("[[")) return value.slice(1);
    if (value.startsWith("[") && value.endsWith("]")) return new Parser(value.slice(1, -1), scope).parseAll();
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (value !== null && typeof value === "object") {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value))
      result[String(evaluate(key, scope))] = evaluate(item, scope);
    return result;
  }
  return value;
}

/** A nested deployment (module) of main: its template and the parameter values main passes it. */
export function moduleScope(main: Scope, name: string): Scope {
  const resource = main.template.resources[name] as { properties?: JsonObject } | undefined;
  const properties = resource?.properties as unknown as
    | { template: ArmTemplate; parameters: Record<string, { value: Json } | string> }
    | undefined;
  if (!properties?.template) throw new Error(`main has no module ${name}`);
  const inputs: Record<string, Json> = {};
  for (const [key, entry] of Object.entries(properties.parameters)) {
    // A parameter set by a condition compiles to one expression yielding the whole {value: ...} entry.
    if (typeof entry === "string") {
      const evaluated = evaluate(entry, main);
      inputs[key] = isObject(evaluated) && "value" in evaluated ? (evaluated.value ?? null) : null;
    } else inputs[key] = evaluate(entry.value, main);
  }
  return { template: properties.template, inputs, references: {} };
}

export interface DeployedResource {
  readonly symbol: string;
  readonly type: string;
  readonly scope?: string;
  readonly name: string;
  readonly properties: JsonObject;
  readonly identity?: JsonObject;
}

/** The resources a template deploys with these inputs: conditions applied, copy loops expanded. */
export function deployedResources(scope: Scope): DeployedResource[] {
  const deployed: DeployedResource[] = [];
  for (const [symbol, resource] of Object.entries(scope.template.resources)) {
    const copy = resource.copy as { count: Json } | undefined;
    const count = copy ? Number(evaluate(copy.count, scope)) : 1;
    for (let index = 0; index < count; index++) {
      const at: Scope = copy ? { ...scope, copyIndex: index } : scope;
      if (resource.condition !== undefined && evaluate(resource.condition, at) !== true) continue;
      const evaluated = (key: string) =>
        resource[key] === undefined ? undefined : evaluate(resource[key], at);
      deployed.push({
        symbol,
        type: String(resource.type),
        name: String(evaluated("name")),
        properties: (evaluated("properties") ?? {}) as JsonObject,
        ...(resource.scope !== undefined ? { scope: String(evaluated("scope")) } : {}),
        ...(resource.identity !== undefined ? { identity: evaluated("identity") as JsonObject } : {}),
      });
    }
  }
  return deployed;
}

export function resourceIdOf(type: string, ...names: string[]): string {
  return `${RESOURCE_GROUP_ID}/providers/${type}/${names.join("/")}`;
}

function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Variable copy loops (`variables.copy` in the compiled JSON: a Bicep `[for ...]` variable). */
function variableLoops(scope: Scope): { name: string; count: Json; input: Json }[] {
  const loops = (scope.template.variables as Record<string, Json> | undefined)?.copy;
  return Array.isArray(loops) ? (loops as unknown as { name: string; count: Json; input: Json }[]) : [];
}

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly scope: Scope,
  ) {}

  parseAll(): Json {
    const value = this.expression();
    this.space();
    if (this.pos !== this.text.length) throw this.fail("unexpected text");
    return value;
  }

  /** Above 0 while parsing the branch an if() does not take: ARM never evaluates it (a fail() there is inert). */
  private skipping = 0;

  private fail(message: string): Error {
    return new Error(`${message} at ${this.pos} in [${this.text}]`);
  }

  private space(): void {
    while (this.text[this.pos] === " ") this.pos++;
  }

  private expression(): Json {
    this.space();
    let value = this.primary();
    for (;;) {
      const char = this.text[this.pos];
      if (char === ".") {
        this.pos++;
        const name = this.identifier();
        if (this.skipping > 0) continue;
        if (!isObject(value) || !(name in value)) throw this.fail(`no property ${name}`);
        value = value[name] as Json;
      } else if (char === "[") {
        this.pos++;
        const index = this.expression();
        this.space();
        if (this.text[this.pos++] !== "]") throw this.fail("expected ]");
        if (this.skipping > 0) continue;
        if (Array.isArray(value) && typeof index === "number") value = value[index] as Json;
        else if (isObject(value) && typeof index === "string" && index in value) value = value[index] as Json;
        else throw this.fail(`cannot index with ${JSON.stringify(index)}`);
      } else {
        return value;
      }
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][\w]*/.exec(this.text.slice(this.pos));
    if (!match) throw this.fail("expected a name");
    this.pos += match[0].length;
    return match[0];
  }

  private primary(): Json {
    const char = this.text[this.pos];
    if (char === "'") {
      let result = "";
      this.pos++;
      for (;;) {
        const c = this.text[this.pos++];
        if (c === undefined) throw this.fail("unterminated string");
        if (c === "'") {
          if (this.text[this.pos] !== "'") return result;
          this.pos++;
        }
        result += c;
      }
    }
    const number = /^-?\d+/.exec(this.text.slice(this.pos));
    if (number) {
      this.pos += number[0].length;
      return Number(number[0]);
    }
    const name = this.identifier();
    if (this.text[this.pos++] !== "(") throw this.fail(`expected ( after ${name}`);
    if (name === "if") return this.lazyIf();
    const args: Json[] = [];
    this.space();
    if (this.text[this.pos] === ")") this.pos++;
    else
      for (;;) {
        args.push(this.expression());
        this.space();
        const next = this.text[this.pos++];
        if (next === ")") break;
        if (next !== ",") throw this.fail("expected , or )");
      }
    return this.call(name, args);
  }

  /** if(condition, then, else) evaluates only the branch it takes, as ARM does. */
  private lazyIf(): Json {
    const condition = this.expression();
    const branches: Json[] = [];
    for (const taken of [condition === true, condition !== true]) {
      this.space();
      if (this.text[this.pos++] !== ",") throw this.fail("if() needs three arguments");
      if (!taken) this.skipping++;
      branches.push(this.expression());
      if (!taken) this.skipping--;
    }
    this.space();
    if (this.text[this.pos++] !== ")") throw this.fail("expected ) after if()");
    return this.skipping > 0 ? null : ((condition === true ? branches[0] : branches[1]) ?? null);
  }

  private call(name: string, args: Json[]): Json {
    if (this.skipping > 0) return null;
    const scope = this.scope;
    const str = (i: number) => {
      const value = args[i];
      if (typeof value !== "string") throw this.fail(`${name}: argument ${i} is not a string`);
      return value;
    };
    switch (name) {
      case "parameters":
        return parameter(scope, str(0));
      case "variables": {
        const raw = scope.template.variables?.[str(0)];
        if (raw !== undefined) return evaluate(raw, scope);
        const loop = variableLoops(scope).find((l) => l.name === str(0));
        if (!loop) throw this.fail(`unknown variable ${str(0)}`);
        const count = Number(evaluate(loop.count, scope));
        return Array.from({ length: count }, (_, i) =>
          evaluate(loop.input, { ...scope, namedCopyIndexes: { ...scope.namedCopyIndexes, [loop.name]: i } }),
        );
      }
      case "reference": {
        const found = scope.references[str(0)];
        if (found === undefined) throw this.fail(`no platform value for reference('${str(0)}')`);
        return found;
      }
      case "format":
        return str(0).replace(/\{(\d+)\}/g, (_m, i: string) => {
          const value = args[Number(i) + 1];
          return typeof value === "string" ? value : JSON.stringify(value);
        });
      case "createArray":
        return args;
      case "createObject": {
        const result: JsonObject = {};
        for (let i = 0; i < args.length; i += 2) result[str(i)] = args[i + 1] as Json;
        return result;
      }
      case "union":
        if (args.every(Array.isArray))
          return [...new Set(args.flat().map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as Json);
        if (!args.every(isObject)) throw this.fail("union of mixed kinds");
        return Object.assign({}, ...args) as JsonObject;
      case "join": {
        const [list] = args;
        if (!Array.isArray(list)) throw this.fail("join of a non-array");
        return list.map(String).join(str(1));
      }
      case "string":
        return typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]);
      case "toLower":
        return str(0).toLowerCase();
      case "uniqueString":
        return TOKEN;
      case "guid":
        return `guid(${args.map(String).join(",")})`;
      case "resourceGroup":
        return { id: RESOURCE_GROUP_ID, name: "rg-graph-mirror", location: "swedencentral" };
      case "tenant":
      case "subscription":
        return { tenantId: TENANT_ID, subscriptionId: "00000000-0000-0000-0000-000000000000" };
      case "resourceId":
        return resourceIdOf(str(0), ...args.slice(1).map(String));
      case "subscriptionResourceId":
        return `/subscriptions/00000000-0000-0000-0000-000000000000/providers/${str(0)}/${args.slice(1).map(String).join("/")}`;
      case "length": {
        const value = args[0] ?? null;
        if (Array.isArray(value) || typeof value === "string") return value.length;
        if (isObject(value)) return Object.keys(value).length;
        throw this.fail("length of a scalar");
      }
      case "copyIndex":
        if (typeof args[0] === "string") {
          const index = scope.namedCopyIndexes?.[args[0]];
          if (index === undefined) throw this.fail(`copyIndex('${args[0]}') outside that loop`);
          return index;
        }
        if (scope.copyIndex === undefined) throw this.fail("copyIndex() outside a copy loop");
        return scope.copyIndex + (typeof args[0] === "number" ? args[0] : 0);
      case "empty": {
        const value = args[0] ?? null;
        if (value === null || value === "") return true;
        if (Array.isArray(value)) return value.length === 0;
        if (isObject(value)) return Object.keys(value).length === 0;
        return false;
      }
      case "not":
        return args[0] !== true;
      case "and":
        return args.every((a) => a === true);
      case "or":
        return args.some((a) => a === true);
      case "mul":
        return args.reduce<number>((product, a) => product * Number(a), 1);
      case "tryGet": {
        const [object, key] = args;
        return isObject(object ?? null) && typeof key === "string"
          ? ((object as JsonObject)[key] ?? null)
          : null;
      }
      case "coalesce":
        return args.find((a) => a !== null) ?? null;
      case "equals":
        return JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case "trim":
        return str(0).trim();
      case "environment":
        return { authentication: { loginEndpoint: "https://login.microsoftonline.com/" } };
      case "fail":
        // The deployment stops with this message (ARM's fail(), what Bicep's fail() compiles to).
        throw new ArmDeploymentFailure(str(0));
      case "true":
        return true;
      case "false":
        return false;
      case "null":
        return null;
      default:
        throw this.fail(`function ${name}() is not understood by the test's ARM evaluator`);
    }
  }
}
