/**
 * Route templates as the Functions host reads them (ASP.NET Core routing subset): literal segments matched
 * case-insensitively, `{name}`, `{name?}` (optional), `{name:constraint}` (constraint not enforced beyond `int`,
 * `alpha`, `guid`) and a trailing `{*rest}` catch-all.
 */
export interface RouteMatch {
  readonly params: Record<string, string>;
}

type Segment =
  | { readonly kind: "literal"; readonly text: string }
  | {
      readonly kind: "param";
      readonly name: string;
      readonly optional: boolean;
      readonly constraint?: string;
    }
  | { readonly kind: "catchAll"; readonly name: string };

export function compileRoute(template: string): (path: string) => RouteMatch | undefined {
  const segments: Segment[] = template
    .replace(/^\/+|\/+$/g, "")
    .split("/")
    .filter((s) => s.length > 0)
    .map((segment): Segment => {
      const param = /^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]+)(?:\([^)]*\))?)?(\?)?\}$/.exec(segment);
      if (!param) return { kind: "literal", text: segment.toLowerCase() };
      const name = param[2] ?? "";
      if (param[1]) return { kind: "catchAll", name };
      return {
        kind: "param",
        name,
        optional: param[4] === "?",
        ...(param[3] ? { constraint: param[3] } : {}),
      };
    });
  return (path) => {
    const parts = path
      .replace(/^\/+|\/+$/g, "")
      .split("/")
      .filter((s) => s.length > 0);
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i];
      const part = parts[i];
      if (!segment) return undefined;
      if (segment.kind === "catchAll") {
        params[segment.name] = parts.slice(i).map(decode).join("/");
        return { params };
      }
      if (part === undefined) {
        if (segment.kind === "param" && segment.optional) continue;
        return undefined;
      }
      if (segment.kind === "literal") {
        if (decode(part).toLowerCase() !== segment.text) return undefined;
        continue;
      }
      const value = decode(part);
      if (!meetsConstraint(value, segment.constraint)) return undefined;
      params[segment.name] = value;
    }
    return parts.length <= segments.length ? { params } : undefined;
  };
}

function meetsConstraint(value: string, constraint: string | undefined): boolean {
  switch (constraint?.toLowerCase()) {
    case "int":
      return /^-?\d+$/.test(value);
    case "alpha":
      return /^[A-Za-z]+$/.test(value);
    case "guid":
      return /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(value);
    default:
      return true;
  }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
