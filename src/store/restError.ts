/** Narrows Azure SDK errors by HTTP status (docs/platform.md: branch on `statusCode`, not on messages). */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err === "object" && err !== null && "statusCode" in err) {
    const status = (err as { statusCode: unknown }).statusCode;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}
