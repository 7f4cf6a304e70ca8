/**
 * The one typed configuration, built once from the environment and passed in (libraries never read
 * process.env). Problems from every part are reported together, each naming the setting and the rule.
 */

import { ConfigError, type FieldProblem } from "../core/shared/validationError.js";
import { type AuthConfig, type Env, parseAuthConfig } from "./auth.js";
import { type GraphConfig, parseGraphConfig } from "./graph.js";

export interface AppConfig {
  readonly graph: GraphConfig;
  readonly auth: AuthConfig;
}

export function loadConfig(env: Env): AppConfig {
  const problems: FieldProblem[] = [];
  const graph = collect(() => parseGraphConfig(env), problems);
  const auth = collect(() => parseAuthConfig(env), problems);
  if (!graph || !auth) throw new ConfigError(problems);
  return { graph, auth };
}

function collect<T>(parse: () => T, problems: FieldProblem[]): T | undefined {
  try {
    return parse();
  } catch (err: unknown) {
    if (err instanceof ConfigError) {
      problems.push(...err.problems);
      return undefined;
    }
    throw err;
  }
}
