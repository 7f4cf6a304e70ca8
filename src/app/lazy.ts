/**
 * The one memoiser of the composition root (src/app/services.ts): a member is built on first use and then
 * reused for the life of the services (one Functions instance, one CLI command). Lazy because a Functions
 * instance that only answers HTTP never needs the engine or its Graph client. A failed asynchronous build
 * (storage unreachable while creating tables) is forgotten, so the next use retries instead of failing forever.
 */
export function lazy<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => {
    if (built) return built.value;
    const value = build();
    built = { value };
    if (value instanceof Promise)
      value.catch(() => {
        built = undefined;
      });
    return value;
  };
}
