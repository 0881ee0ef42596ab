import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncomingFile } from './folder-scan.js';
import type { StreamContext } from './import-types.js';

/** The report of a refused file, streamed to a temporary file in error/ until the file is moved beside it. */
export class ErrorReport {
  #lines: string[] = [];
  #handle: Awaited<ReturnType<typeof open>> | undefined;
  #first: string | undefined;

  constructor(
    readonly path: string,
    private readonly dir: string,
  ) {}

  get first(): string | undefined {
    return this.#first;
  }

  async add(lines: readonly string[]): Promise<void> {
    this.#first ??= lines[0];
    for (const line of lines) this.#lines.push(`${line}\n`);
    if (this.#lines.length >= 1000) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#lines.length === 0) return;
    if (!this.#handle) {
      await mkdir(this.dir, { recursive: true });
      this.#handle = await open(this.path, 'w');
    }
    await this.#handle.write(this.#lines.join(''));
    this.#lines = [];
  }

  async close(): Promise<void> {
    await this.#flush();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  async discard(): Promise<void> {
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
    await rm(this.path, { force: true });
  }
}

/** The report of `file`, in its stream's error/ folder under a temporary name of this process. */
export function errorReportOf(file: IncomingFile, ctx: StreamContext): ErrorReport {
  return new ErrorReport(join(ctx.errorDir, `.${file.name}.${process.pid}.errors.tmp`), ctx.errorDir);
}
