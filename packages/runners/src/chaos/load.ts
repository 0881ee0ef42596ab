import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { applicationNumberFor, writeGeneratedCsv } from '../intake/generator/generate-csv.js';
import type { FaultKind } from './faults.js';
import type { LoadFile } from './invariants.js';

export interface LoadOptions {
  /** The stream folders, by stream name; files go to each in turn. */
  readonly folders: ReadonlyMap<string, string>;
  readonly seed: number;
  readonly rowsPerFile: number;
  readonly intervalMs: number;
  /**
   * Every this many files, one has a few broken rows: intake moves such a file to error/ with its report and
   * publishes none of its rows (0: never).
   */
  readonly badFileEvery: number;
  /** The fault in progress (or just over) when a file is dropped: the file's violations count on it. */
  readonly currentFault: () => FaultKind | undefined;
}

interface WrittenFile {
  readonly name: string;
  readonly stream: string;
  readonly folder: string;
  readonly seed: number;
  readonly validApplicationNumbers: readonly string[];
  readonly fault: FaultKind | undefined;
}

/**
 * A steady load: every `intervalMs` a generated CSV file (the `tm gen-csv` generator, its own seed) dropped the
 * partner way (written under a temporary name, then renamed) into the next stream's folder.
 */
export class LoadGenerator {
  readonly #files: WrittenFile[] = [];
  readonly #faultOf = new Map<string, FaultKind | undefined>();
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(private readonly options: LoadOptions) {
    for (const folder of options.folders.values()) mkdirSync(folder, { recursive: true });
  }

  start(): void {
    this.#tick();
    this.#timer = setInterval(() => this.#tick(), this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#writing;
    if (this.#failure) throw this.#failure;
  }

  #tick(): void {
    this.#writing = this.#writing
      .then(() => this.#writeOne())
      .catch((e) => {
        this.#failure ??= e;
      });
  }

  async #writeOne(): Promise<void> {
    const n = this.#files.length;
    const streams = [...this.options.folders.keys()];
    const stream = streams[n % streams.length] as string;
    const folder = this.options.folders.get(stream) as string;
    // Distinct seeds give distinct application numbers (the seed's digits lead them).
    const seed = (this.options.seed % 100_000) * 10_000 + n + 1;
    const name = `chaos_${String(n + 1).padStart(5, '0')}.csv`;
    const { rowsPerFile: rows, badFileEvery } = this.options;
    const bad = badFileEvery > 0 && (n + 1) % badFileEvery === 0;
    const invalidRate = bad ? 0.02 : 0;
    const fault = this.options.currentFault();
    const tmp = join(folder, `${name}.part`);
    await writeGeneratedCsv({ rows, seed, invalidRate }, createWriteStream(tmp));
    renameSync(tmp, join(folder, name));
    const valid = bad ? [] : Array.from({ length: rows }, (_, i) => applicationNumberFor(seed, i));
    this.#files.push({ name, stream, folder, seed, validApplicationNumbers: valid, fault });
    for (const a of valid) this.#faultOf.set(a, fault);
  }

  /** The files dropped so far, each settled once intake moved it out of its folder. */
  files(): LoadFile[] {
    return this.#files.map((f) => ({
      name: f.name,
      stream: f.stream,
      validApplicationNumbers: f.validApplicationNumbers,
      settled: !existsSync(join(f.folder, f.name)),
    }));
  }

  /** The fault a row's file came in under. */
  faultOf(applicationNumber: string): FaultKind | undefined {
    return this.#faultOf.get(applicationNumber);
  }
}
