import { access } from 'node:fs/promises';
import { extname, join } from 'node:path';

/**
 * Whether intake leaves a file alone because its name says it is still being written: names ending in `.tmp` or
 * `.part` (any case), and names starting with `.` (rsync's and many uploaders' temporary names). Writers that
 * cannot hold a file's size and mtime still can write under such a name and rename it when done (the rename is
 * atomic on one file system).
 */
export function isInProgressName(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || lower.endsWith('.tmp') || lower.endsWith('.part');
}

/**
 * The names tried, in order, for a file moved into a folder that may already hold one of the same name: `NAME`,
 * then `BASE.1.EXT`, `BASE.2.EXT`, ... (`apps.csv`, `apps.1.csv`, `apps.2.csv`); a name without extension gets
 * `NAME.1`, `NAME.2`.
 */
export function* candidateNames(name: string): Generator<string> {
  yield name;
  const ext = extname(name);
  const base = ext === '' || ext === name ? name : name.slice(0, -ext.length);
  const suffix = ext === name ? '' : ext;
  for (let n = 1; ; n++) yield `${base}.${n}${suffix}`;
}

/**
 * The first of {@link candidateNames} under which `dir` holds none of the files `companions(candidate)` names
 * (the candidate itself, and for the error folder its report), so a later file of the same name never overwrites
 * an earlier one. Intake is the only writer of its success and error folders, so no other process can take the
 * name between this check and the rename.
 */
export async function freeName(
  dir: string,
  name: string,
  companions: (candidate: string) => readonly string[] = (candidate) => [candidate],
): Promise<string> {
  for (const candidate of candidateNames(name)) {
    const taken = await Promise.all(companions(candidate).map((f) => exists(join(dir, f))));
    if (!taken.includes(true)) return candidate;
  }
  throw new Error('unreachable: candidateNames never ends');
}

/** Whether something is at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** The report written beside a refused file: `NAME.errors.txt`. */
export function reportNameOf(name: string): string {
  return `${name}.errors.txt`;
}
