import { z } from 'zod';
import { millis } from './common.js';

/**
 * `events`: the data streams of thesis figure 22 (folders of CSV files), plus how files are read.
 * Owned by intake.
 */
export const CsvDialectSchema = z
  .object({
    delimiter: z.string().length(1).default(';'),
    quote: z.string().length(1).default('"'),
    header: z.boolean().default(false),
    /**
     * 1-based positions of columns in the file that are not part of Appendix A and are ignored (the sample row
     * of the thesis slides carries two after 1.10: `extra-columns: [11, 12]`). A file of the stream then has
     * 31 + this many columns.
     */
    'extra-columns': z.array(z.number().int().min(1)).default([]),
    /**
     * The text encoding of the stream's files (ours): `utf-8` (the default, with or without BOM) or any label the
     * WHATWG Encoding standard knows, e.g. `windows-1251`, common in Russian banking.
     */
    encoding: z.string().default('utf-8').refine(isKnownEncoding, {
      message: 'not a text encoding the runtime knows (utf-8, windows-1251, koi8-r, ...)',
    }),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.delimiter === d.quote) {
      ctx.addIssue({ code: 'custom', path: ['quote'], message: 'the quote must differ from the delimiter' });
    }
    for (const [key, char] of [
      ['delimiter', d.delimiter],
      ['quote', d.quote],
    ] as const) {
      if (char === '\n' || char === '\r') {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'a line break cannot be a delimiter or a quote',
        });
      }
    }
    const total = 31 + d['extra-columns'].length;
    const seen = new Set<number>();
    d['extra-columns'].forEach((position, i) => {
      if (seen.has(position)) {
        ctx.addIssue({
          code: 'custom',
          path: ['extra-columns', i],
          message: `column ${position} is listed twice`,
        });
      } else if (position > total) {
        ctx.addIssue({
          code: 'custom',
          path: ['extra-columns', i],
          message: `column ${position} is past the last column (${total} with the extra ones)`,
        });
      }
      seen.add(position);
    });
  })
  .transform((d) => ({
    delimiter: d.delimiter,
    quote: d.quote,
    header: d.header,
    extraColumns: [...d['extra-columns']].sort((a, b) => a - b),
    // Set only for another encoding than UTF-8, the default (readers treat it as absent).
    ...(d.encoding !== undefined && new TextDecoder(d.encoding).encoding !== 'utf-8'
      ? { encoding: new TextDecoder(d.encoding).encoding }
      : {}),
  }));

function isKnownEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

export const DataStreamSchema = z
  .object({
    name: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'stream names are upper case, like MOBILE_LOANS'),
    folder: z.string().min(1),
    topic: z.string().min(1).default('tml-incoming-events'),
    csv: CsvDialectSchema.prefault({}),
  })
  .strict();

export const EventsSchema = z
  .object({
    'success-folder-name': z.string().min(1).default('success'),
    'error-folder-name': z.string().min(1).default('error'),
    /** A file is imported once its size and mtime have not changed for this long. */
    'stable-after-ms': millis.default(2000),
    'poll-interval-ms': millis.default(1000),
    /**
     * Compacted topic where intake records each file's progress in the same Kafka transactions as its rows (ours,
     * ADR 0041): what lets a restarted runner resume a file after its last committed line.
     */
    'ledger-topic': z.string().min(1).default('tml-intake-ledger'),
    /** Rows per Kafka transaction while a file is published (ours): a crash replays at most this many. */
    'rows-per-transaction': z.number().int().positive().default(10_000),
    /**
     * Files up to this size are checked and published in one pass, all their rows in one Kafka transaction
     * (ours, ADR 0068); larger files are checked first, then published in transactions of rows-per-transaction.
     */
    'single-transaction-max-bytes': z
      .number()
      .int()
      .nonnegative()
      .default(1024 * 1024 * 1024),
    /**
     * Longest an intake transaction may stay open before the broker aborts it (ours, ADR 0068): at most the
     * broker's transaction.max.timeout.ms (900,000 by default).
     */
    'transaction-timeout-ms': z.number().int().positive().default(900_000),
    'data-streams': z.array(DataStreamSchema).min(1),
  })
  .strict()
  .superRefine((events, ctx) => {
    const seen = new Set<string>();
    events['data-streams'].forEach((stream, i) => {
      if (seen.has(stream.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['data-streams', i, 'name'],
          message: `duplicate stream ${stream.name}`,
        });
      }
      seen.add(stream.name);
    });
  })
  .transform((e) => ({
    successFolderName: e['success-folder-name'],
    errorFolderName: e['error-folder-name'],
    stableAfterMs: e['stable-after-ms'],
    pollIntervalMs: e['poll-interval-ms'],
    ledgerTopic: e['ledger-topic'],
    rowsPerTransaction: e['rows-per-transaction'],
    singleTransactionMaxBytes: e['single-transaction-max-bytes'],
    transactionTimeoutMs: e['transaction-timeout-ms'],
    dataStreams: e['data-streams'],
  }));

export type EventsConfig = z.output<typeof EventsSchema>;
export type DataStreamConfig = z.output<typeof DataStreamSchema>;
export type CsvDialect = z.output<typeof CsvDialectSchema>;
