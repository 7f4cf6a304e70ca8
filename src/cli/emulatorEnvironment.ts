/**
 * The environment lines that point a graph-mirror CLI (or any Graph client) at a running emulator, printed by
 * `graph-mirror emulator` and `graph-mirror start` so nobody has to piece them together (issue 15 item 4).
 * The emulator's token is a fixed, public development value (`dev-token`), not a secret.
 */
export function cliEnvironmentLines(graphBaseUrl: string, token: string, caPath?: string): string[] {
  return [
    "  Point a graph-mirror CLI at it (in another terminal):",
    `    export GRAPH_BASE_URL=${graphBaseUrl}`,
    `    export GRAPH_ACCESS_TOKEN=${token}`,
    ...(caPath ? [`    export NODE_EXTRA_CA_CERTS=${caPath}`] : []),
  ];
}
