/**
 * A function that does its work once: the first call runs `body`, every later call — and every caller that
 * arrives while it runs — gets the same promise. A run that fails is forgotten once it has failed, so the next call
 * runs `body` afresh: a preparation that found the database or the broker down is tried again by whoever asks next,
 * and one that succeeded never runs again.
 *
 * The arguments of the call that starts a run are the ones `body` gets; those of calls sharing it are not looked at.
 *
 * ## Example
 * ```ts
 * const prepare = onceUntilFailed(async () => {
 *   await migrateToLatest(db);
 *   await producer.connect();
 * });
 * await Promise.all([prepare(), prepare()]); // one migration, one connect
 * ```
 * @param body The work; it may throw or reject, which fails this run only.
 * @return The function, with {@link OnceUntilFailed.current} telling whether a run is under way or done.
 */
export function onceUntilFailed<A extends unknown[], T>(
  body: (...args: A) => Promise<T>,
): OnceUntilFailed<A, T> {
  let current: Promise<T> | undefined;
  const once = (...args: A): Promise<T> => {
    if (current) return current;
    const run = new Promise<T>((resolve) => resolve(body(...args))); // a synchronous throw fails the run too
    current = run;
    run.catch(() => {
      if (current === run) current = undefined;
    });
    return run;
  };
  return Object.defineProperty(once, 'current', { get: () => current }) as OnceUntilFailed<A, T>;
}

/** What {@link onceUntilFailed} returns. */
export interface OnceUntilFailed<A extends unknown[], T> {
  (...args: A): Promise<T>;
  /** The run under way or succeeded; undefined before the first call and after a run that failed. */
  readonly current: Promise<T> | undefined;
}
