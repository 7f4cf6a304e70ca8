/**
 * Upload URLs are credentials (DESIGN invariant 5): any text that may reach a log, an event or a JobError goes
 * through here. Absolute URLs lose everything after the host; bearer tokens are masked.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(https?:\/\/[^/\s?#"'<>]+)[^\s"'<>]*/gi, "$1/…")
    .replace(/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, "$1 …");
}
