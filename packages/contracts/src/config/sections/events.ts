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
  })
  .strict();

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
    dataStreams: e['data-streams'],
  }));

export type EventsConfig = z.output<typeof EventsSchema>;
export type DataStreamConfig = z.output<typeof DataStreamSchema>;
export type CsvDialect = z.output<typeof CsvDialectSchema>;
