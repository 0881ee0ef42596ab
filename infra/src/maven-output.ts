import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, tail } from './exec.js';
import { infraLog } from './log.js';

/** What {@link mavenOutputKeptByPom} runs and where it keeps the result. */
export interface MavenOutput {
  /** The pom.xml the goal runs against; its hash keys the kept copy. */
  pomPath: string;
  /** Mixed into the hash beside the pom, for several outputs of one pom (e.g. a Maven profile's name). */
  variant?: string;
  /** The directory that holds the output once done. */
  dir: string;
  /** Logged before Maven runs, e.g. "resolving Kafka 4.1.0 jars". */
  what: string;
  /** The goal and its flags; `-q -B -f <pom>` and `-DoutputDirectory=<staging>` are added. */
  goal: string[];
  timeoutMs: number;
  /** A check of the staging directory after a successful run; false fails the run as Maven's exit code would. */
  complete?: (staging: string) => boolean;
}

/**
 * Runs a Maven goal that writes into a directory, once per pom version: the output is written to a staging
 * directory, stamped with the pom's hash and renamed into place, and reused while the pom is unchanged (so a
 * download from Maven Central happens on the first run only). Concurrent runs are safe: the first rename wins.
 * Returns `dir`.
 */
export async function mavenOutputKeptByPom(output: MavenOutput): Promise<string> {
  const { pomPath, dir } = output;
  const hash = createHash('sha256').update(readFileSync(pomPath));
  if (output.variant !== undefined) hash.update(output.variant);
  const stamp = hash.digest('hex');
  const stampFile = join(dir, '.pom-sha256');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return dir;

  const staging = `${dir}.${process.pid}.${randomBytes(3).toString('hex')}`;
  infraLog(`${output.what} with Maven into ${dir}`);
  const args = ['-q', '-B', '-f', pomPath, ...output.goal, `-DoutputDirectory=${staging}`];
  const result = await run('mvn', args, { timeoutMs: output.timeoutMs });
  if (result.code !== 0 || !(output.complete?.(staging) ?? true)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `mvn ${output.goal[0]} failed (exit ${result.code}):\n${tail(result.stdout + result.stderr)}`,
    );
  }
  writeFileSync(join(staging, '.pom-sha256'), stamp);
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run finished the same copy first; theirs is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(stampFile)) throw err;
  }
  return dir;
}
