import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PipelineConfig, parsePipelineConfig } from '@tm/contracts';
import { type GenerateCsvOptions, writeGeneratedCsv } from '../generator/index.js';

/** A scratch base folder with the two sample streams' folders, removed by `cleanup`. */
export interface IntakeFolders {
  readonly base: string;
  readonly mobileLoans: string;
  readonly posReject: string;
  cleanup(): Promise<void>;
}

export async function intakeFolders(): Promise<IntakeFolders> {
  const base = await mkdtemp(join(tmpdir(), 'tm-intake-'));
  const mobileLoans = join(base, 'mobile_loans');
  const posReject = join(base, 'pos_reject');
  await mkdir(mobileLoans);
  await mkdir(posReject);
  return { base, mobileLoans, posReject, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** What a test config of intake varies. */
export interface IntakeConfigOptions {
  readonly topic: string;
  readonly ledgerTopic: string;
  readonly transport: 'kafka' | 'memory';
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  readonly rowsPerTransaction?: number;
  /** Files above this size are imported in chunks (default: the config's, 1 GiB). */
  readonly singleTransactionMaxBytes?: number;
  readonly stableAfterMs?: number;
  readonly pollIntervalMs?: number;
  /** `csv.encoding` of the POS_REJECT stream (default: none, UTF-8). */
  readonly posRejectEncoding?: string;
}

/**
 * The thesis's figure 22 streams over `folders`, on the given topic, ledger topic and transport (the rest of the
 * config at its defaults).
 */
export function intakeConfig(folders: IntakeFolders, options: IntakeConfigOptions): PipelineConfig {
  return parsePipelineConfig(intakeConfigYaml(folders, options), { source: 'intake-test.yaml' });
}

/** The YAML of {@link intakeConfig}, for a runner in a child process (`tm run intake --config FILE`). */
export function intakeConfigYaml(folders: IntakeFolders, options: IntakeConfigOptions): string {
  return `
csv-events-base-folder: ${JSON.stringify(folders.base)}
events:
  success-folder-name: "success"
  error-folder-name: "error"
  stable-after-ms: ${options.stableAfterMs ?? 0}
  poll-interval-ms: ${options.pollIntervalMs ?? 50}
  ledger-topic: ${JSON.stringify(options.ledgerTopic)}
  rows-per-transaction: ${options.rowsPerTransaction ?? 10000}
${options.singleTransactionMaxBytes === undefined ? '' : `  single-transaction-max-bytes: ${options.singleTransactionMaxBytes}\n`}  data-streams:
    - name: MOBILE_LOANS
      folder: \${csv-events-base-folder}/mobile_loans
      topic: ${JSON.stringify(options.topic)}
    - name: POS_REJECT
      folder: \${csv-events-base-folder}/pos_reject
      topic: ${JSON.stringify(options.topic)}
${options.posRejectEncoding === undefined ? '' : `      csv: { encoding: ${JSON.stringify(options.posRejectEncoding)} }\n`}events-analyser:
  campaigns:
    - campaign-id: 1
      data-streams: MOBILE_LOANS
      request-statuses: registered
topics:
  partitions: 3
infra:
  transport: ${options.transport}
  kafka:
    brokers: ${JSON.stringify((options.brokers ?? ['127.0.0.1:9092']).join(','))}
    client-id: ${JSON.stringify(options.clientId ?? 'tm-test')}
  database: { url: "postgres://unused" }
  redis: { url: "redis://unused" }
`;
}

/** Writes a generated CSV file and sets its mtime (seconds since the epoch) so tests control the order. */
export async function writeCsv(path: string, options: GenerateCsvOptions, mtimeSec?: number): Promise<void> {
  await writeGeneratedCsv(options, createWriteStream(path));
  if (mtimeSec !== undefined) await utimes(path, mtimeSec, mtimeSec);
}

/** The names in a folder, sorted; none when it does not exist. */
export async function namesIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
