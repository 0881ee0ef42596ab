/** A file as one scan of a stream folder saw it. */
export interface FileSighting {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The stability rule of intake: a file is ready once its size and mtime have not changed for `stableAfterMs`,
 * measured from the first scan that saw them as they are now. A writer that pauses longer than that mid-file must
 * write under a temporary name instead (see `isInProgressName`).
 *
 * Feed it every scan of a folder with {@link observe}; it forgets files that disappeared.
 */
export class StabilityTracker {
  readonly #seen = new Map<string, { size: number; mtimeMs: number; since: number }>();

  constructor(private readonly stableAfterMs: number) {}

  /** Records one scan taken at `now`; returns the files of it that are ready, in the order given. */
  observe<F extends FileSighting>(files: readonly F[], now: number): F[] {
    const present = new Set<string>();
    const ready: F[] = [];
    for (const file of files) {
      present.add(file.path);
      const seen = this.#seen.get(file.path);
      if (!seen || seen.size !== file.size || seen.mtimeMs !== file.mtimeMs) {
        this.#seen.set(file.path, { size: file.size, mtimeMs: file.mtimeMs, since: now });
        if (this.stableAfterMs === 0) ready.push(file);
        continue;
      }
      if (now - seen.since >= this.stableAfterMs) ready.push(file);
    }
    for (const path of this.#seen.keys()) if (!present.has(path)) this.#seen.delete(path);
    return ready;
  }

  /** Forgets a file (imported or moved away), so a new file under the same name starts its wait afresh. */
  forget(path: string): void {
    this.#seen.delete(path);
  }
}
