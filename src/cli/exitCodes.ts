/**
 * The exit codes every `graph-mirror` command uses (issue 15 item 9), as rclone and AzCopy users expect them,
 * and the `--help` text that documents them.
 */
export const EXIT = {
  ok: 0,
  /** Something failed: an upload, a destination, a definition. */
  failed: 1,
  /** A usage or configuration error: bad option, unknown command, missing setting. Nothing was changed. */
  usage: 2,
  /** `mirror`: done, but files changed by someone else at the destination were left alone. */
  conflicts: 3,
  /** Ctrl-C (SIGINT) or SIGTERM: run the same command again to resume. */
  interrupted: 130,
} as const;

export const EXIT_CODES_HELP = [
  "",
  "Exit codes:",
  "  0    everything done",
  "  1    something failed (an upload, a destination, a definition)",
  "  2    usage or configuration error (bad option, unknown command, missing setting); nothing was changed",
  "  3    mirror: done, but files changed by someone else at the destination were left alone",
  "  130  interrupted (Ctrl-C); run the same command again to resume",
].join("\n");
