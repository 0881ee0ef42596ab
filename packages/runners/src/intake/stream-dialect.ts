import { ConfigError, type CsvDialect, DEFAULT_CSV_DIALECT, loadPipelineConfig } from '@tm/contracts';
import { UsageError } from '../usage-errors.js';

/** A data stream's name and CSV dialect, as intake tools read files of it. */
export interface StreamDialect {
  readonly dataStream: string;
  readonly dialect: CsvDialect;
}

/**
 * The CSV dialect of data stream `stream` in the pipeline config (`configFile`, default {@link loadPipelineConfig}'s).
 * Without a stream, Appendix A's own dialect and the stream name `-`, and no config is read.
 *
 * @throws {UsageError} for an unknown stream (naming the known ones) or a config that cannot be used.
 */
export function streamDialect(stream: string | undefined, configFile?: string): StreamDialect {
  if (stream === undefined) return { dataStream: '-', dialect: DEFAULT_CSV_DIALECT };
  let streams: ReturnType<typeof loadPipelineConfig>['events']['dataStreams'];
  try {
    streams = (configFile === undefined ? loadPipelineConfig() : loadPipelineConfig(configFile)).events
      .dataStreams;
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  const found = streams.find((s) => s.name === stream);
  if (!found) {
    throw new UsageError(
      `unknown stream ${stream}; the config knows ${streams.map((s) => s.name).join(', ')}`,
    );
  }
  return { dataStream: found.name, dialect: found.csv };
}
