import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isInProgressName } from './file-naming.js';

/** A file waiting in a stream folder. */
export interface IncomingFile {
  readonly name: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** When the file was created: its birth time where the file system keeps one, else its mtime. */
  readonly createdMs: number;
}

/**
 * The files of a stream folder intake may import, oldest first: regular files whose names are not in progress
 * (`isInProgressName`); the success and error folders and anything else that is not a regular file are skipped. A
 * missing folder has no files. A file that vanishes during the scan is left out.
 */
export async function scanStreamFolder(folder: string): Promise<IncomingFile[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files: IncomingFile[] = [];
  for (const name of names) {
    if (isInProgressName(name)) continue;
    const path = join(folder, name);
    try {
      const file = await incomingFile(path);
      if (file) files.push(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return oldestFirst(files);
}

/**
 * The file at `path` as intake sees it, or undefined when it is not a regular file.
 *
 * @throws the error of `stat` (ENOENT for a missing file).
 */
export async function incomingFile(path: string): Promise<IncomingFile | undefined> {
  const s = await stat(path);
  if (!s.isFile()) return undefined;
  const createdMs = s.birthtimeMs > 0 ? s.birthtimeMs : s.mtimeMs;
  return { name: basename(path), path, size: s.size, mtimeMs: s.mtimeMs, createdMs };
}

/**
 * Thesis §2.6.1: files are imported "in the order they were created, from old to new". Ties (files created within
 * the same millisecond, or file systems without birth times copying mtimes) go by mtime, then by name.
 */
export function oldestFirst<F extends Pick<IncomingFile, 'name' | 'createdMs' | 'mtimeMs'>>(
  files: readonly F[],
): F[] {
  return [...files].sort(
    (a, b) =>
      a.createdMs - b.createdMs || a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
