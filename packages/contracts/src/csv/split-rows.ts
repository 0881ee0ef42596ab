import type { TransformCallback } from 'node:stream';
import { CsvParserStream, ParserOptions } from '@fast-csv/parse';

/**
 * The last item of a {@link splitRows} stream whose text could not be split into rows, in place of an error:
 * `reason` follows the word "row" in a report line.
 */
export interface Unsplittable {
  readonly unsplittable: true;
  readonly reason: string;
}

/** What {@link splitRows} emits: a row's cells as written, `[]` for a blank line, or the final {@link Unsplittable}. */
export type SplitItem = string[] | Unsplittable;

/** The characters of a CSV dialect. */
export interface SplitOptions {
  readonly delimiter: string;
  readonly quote: string;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * fast-csv's parser stream, changed in one way: text that cannot be split into rows (a quoted field never closed,
 * text after a closing quote) does not error the stream but ends it with an {@link Unsplittable} item, after every
 * row before the bad one.
 *
 * Why: an erroring stream drops the rows still buffered for its reader, and fast-csv drops the rows it had split
 * from the same chunk before the bad one, so the reader could not tell on which line the bad row starts. Here
 * fast-csv is given chunks that end at a line break (so its UTF-8 decoder never holds half a character between
 * chunks), and a chunk that fails is fed again one line at a time: each row before the bad one comes out, and a
 * line counter downstream stays exact. fast-csv's own message quotes the rest of the line (personal data) and is
 * not passed on.
 */
class RowSplitter extends CsvParserStream<string[], string[]> {
  private broken = false;
  /** Bytes after the last line break seen, held until the next chunk. */
  private pending: Buffer | null = null;

  override _transform(data: Buffer, encoding: string, done: TransformCallback): void {
    if (this.broken) {
      done();
      return;
    }
    const chunk = this.pending ? Buffer.concat([this.pending, data]) : data;
    const cut = Math.max(chunk.lastIndexOf(LF), chunk.lastIndexOf(CR)) + 1;
    this.pending = cut < chunk.length ? chunk.subarray(cut) : null;
    if (cut === 0) done();
    else this.feed(chunk.subarray(0, cut), encoding, done);
  }

  override _flush(done: TransformCallback): void {
    if (this.broken) {
      done();
      return;
    }
    const finish = () => {
      super._flush((err) => {
        if (isParseError(err)) this.stop(err, done);
        else done(err);
      });
    };
    if (!this.pending) finish();
    else
      this.feed(this.pending, 'buffer', (err) => {
        if (err || this.broken) done(err);
        else finish();
      });
  }

  /** Feeds a chunk that ends at a line break (or the end of the text); on a parse error, again line by line. */
  private feed(chunk: Buffer, encoding: string, done: TransformCallback): void {
    super._transform(chunk, encoding, (err) => {
      if (isParseError(err)) this.feedLines(lines(chunk), 0, encoding, done);
      else done(err);
    });
  }

  private feedLines(pieces: Buffer[], i: number, encoding: string, done: TransformCallback): void {
    if (i === pieces.length) {
      done();
      return;
    }
    super._transform(pieces[i]!, encoding, (err) => {
      if (isParseError(err)) this.stop(err, done);
      else if (err) done(err);
      else this.feedLines(pieces, i + 1, encoding, done);
    });
  }

  private stop(err: Error, done: TransformCallback): void {
    this.broken = true;
    this.pending = null;
    const reason = err.message.includes('missing closing')
      ? 'has a quoted field that is never closed'
      : 'has text after a closing quote';
    this.push({ unsplittable: true, reason } satisfies Unsplittable);
    done();
  }
}

/** `data` cut after every CR and LF byte (never inside a UTF-8 sequence: those bytes are all ≥ 0x80). */
function lines(data: Buffer): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === LF || b === CR) {
      pieces.push(data.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < data.length) pieces.push(data.subarray(start));
  return pieces;
}

function isParseError(err: unknown): err is Error {
  return err instanceof Error && err.message.startsWith('Parse Error');
}

/**
 * A stream of the rows of CSV bytes (see {@link RowSplitter}): blank lines kept as `[]`, a UTF-8 BOM dropped, cells
 * untrimmed, quotes escaped by doubling.
 */
export function splitRows(options: SplitOptions): CsvParserStream<string[], string[]> {
  return new RowSplitter(
    new ParserOptions({
      delimiter: options.delimiter,
      quote: options.quote,
      escape: options.quote,
      ignoreEmpty: false,
    }),
  );
}

/** Whether an item of {@link splitRows} is the final unsplittable marker. */
export function isUnsplittable(item: SplitItem): item is Unsplittable {
  return !Array.isArray(item);
}
