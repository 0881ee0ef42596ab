import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository root, where `tsx` resolves. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..', '..', '..');

/** What a child process did: its exit code and everything it wrote. */
export interface ChildResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a TypeScript entry of the repository as a child process, from the sources (the `tm-source` condition). */
export function runTypeScript(script: string, args: readonly string[]): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=tm-source', '--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs `tm ARGS…` as a child process. */
export function runTm(args: readonly string[]): Promise<ChildResult> {
  return runTypeScript(join(repoRoot, 'packages', 'runners', 'src', 'cli.ts'), args);
}
