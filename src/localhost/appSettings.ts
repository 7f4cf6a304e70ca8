/**
 * Binding expressions `%NAME%` are replaced by app settings, as the Functions host does (e.g. a queue name
 * taken from a setting). A missing setting is an error naming it, not an empty string.
 */
export function resolveSettings(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/%([^%]+)%/g, (_match, name: string) => {
    const value = env[name];
    if (value === undefined)
      throw new Error(`binding expression %${name}% names an app setting that is not set`);
    return value;
  });
}
