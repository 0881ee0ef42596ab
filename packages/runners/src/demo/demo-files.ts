import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DataStreamConfig } from '@tm/contracts';
import { writeGeneratedCsv } from '../intake/generator/generate-csv.js';

/** One sample file written for the demo. */
export interface DemoFile {
  stream: string;
  path: string;
  rows: number;
  /** True when some rows are broken on purpose, so format control must reject the whole file. */
  bad: boolean;
}

/** Files per data stream; the last of each stream carries broken rows. */
const FILES_PER_STREAM = 3;

/**
 * Writes the demo's sample files into each stream's folder: `rows` rows in all, split over three files per stream,
 * each from its own seed (application numbers never repeat). The last file of every stream has 1% broken rows, so
 * intake rejects it to error/ with its report, as the thesis describes.
 */
export async function writeDemoFiles(
  streams: readonly DataStreamConfig[],
  rows: number,
  seed = 1,
): Promise<DemoFile[]> {
  const files: DemoFile[] = [];
  const count = streams.length * FILES_PER_STREAM;
  let written = 0;
  let index = 0;
  for (const stream of streams) {
    mkdirSync(stream.folder, { recursive: true });
    for (let f = 0; f < FILES_PER_STREAM; f += 1) {
      const fileRows = index === count - 1 ? rows - written : Math.floor(rows / count);
      const bad = f === FILES_PER_STREAM - 1;
      const path = join(stream.folder, `${stream.name.toLowerCase()}_${String(f + 1).padStart(2, '0')}.csv`);
      await writeGeneratedCsv(
        {
          rows: fileRows,
          seed: seed * 1000 + index,
          // 1% broken, and at least one row however small the file
          invalidRate: bad && fileRows > 0 ? Math.max(0.01, 1 / fileRows) : 0,
          dialect: stream.csv,
        },
        createWriteStream(path),
      );
      files.push({ stream: stream.name, path, rows: fileRows, bad: bad && fileRows > 0 });
      written += fileRows;
      index += 1;
    }
  }
  return files;
}
