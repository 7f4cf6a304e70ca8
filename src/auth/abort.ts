/**
 * Token requests are shared by every job waiting for a token, so they run under their own deadline, not
 * under one caller's signal (an aborted job must not fail the others). Each caller still stops waiting when
 * its own signal fires.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 60_000;

export function raceAbort<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
