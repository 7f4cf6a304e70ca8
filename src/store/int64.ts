/**
 * Byte offsets, sizes and times (ms since epoch) exceed 2^31: real Azure Table Storage rejects untyped large
 * numbers, so they are always written as explicit Int64 (docs/platform.md "Table Storage"). They read back as bigint.
 */
export interface Int64Value {
  readonly value: string;
  readonly type: "Int64";
}

export function int64(n: number): Int64Value {
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer for an Int64 column: ${n}`);
  return { value: String(n), type: "Int64" };
}

/** Reads an Int64 column as the SDK returns it (bigint, or the typed object / string forms). */
export function readInt64(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "bigint" || typeof raw === "number" || typeof raw === "string") return toSafe(raw);
  if (typeof raw === "object" && "value" in raw) return readInt64((raw as { value: unknown }).value);
  return undefined;
}

function toSafe(raw: bigint | number | string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`stored Int64 value is not a safe integer: ${String(raw)}`);
  return n;
}

/** An OData Int64 literal (`123L`) for filters. */
export function int64Literal(n: number): string {
  return `${Math.trunc(n)}L`;
}
