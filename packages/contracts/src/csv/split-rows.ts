import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import Papa, { type ParseResult, type Parser } from 'papaparse';

/**
 * The last item of a {@link splitRows} stream whose text could not be split into rows, in place of an error:
 * `reason` follows the word "row" in a report line.
 */
export interface Unsplittable {
  readonly unsplittable: true;
  readonly reason: string;
}

/** What {@link splitRows} yields: a row's cells as written, `[]` for a blank line, or the final {@link Unsplittable}. */
export type SplitItem = string[] | Unsplittable;

/**
 * The rows completed by one chunk of input, with what the text read so far rules out: a reader may skip looking
 * for line breaks inside cells while no quote and no CR has been read (LF is the row end, so only a quoted cell or
 * a CR can hold one), and for U+FFFD while none has been decoded.
 */
export interface SplitBatch {
  readonly rows: SplitItem[];
  readonly mayHoldLineBreaks: boolean;
  readonly mayHoldReplacementChars: boolean;
  /**
   * Set when bytes read so far were not valid in the file's encoding (UTF-8) but look like Windows-1251 Cyrillic: a
   * hint for the report, never a decision.
   */
  readonly looksLikeWindows1251?: true;
}

/** The characters and the text encoding of a CSV dialect. */
export interface SplitOptions {
  readonly delimiter: string;
  readonly quote: string;
  /** WHATWG encoding label of the bytes (default `utf-8`). */
  readonly encoding?: string;
}

/** Decodes chunks of bytes in one encoding, keeping a character split between chunks whole. */
interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

function decoderFor(encoding: string | undefined): ChunkDecoder {
  const name = encoding ? new TextDecoder(encoding).encoding : 'utf-8';
  // Node's StringDecoder is the faster of the two for UTF-8; TextDecoder (full ICU) knows every other encoding.
  if (name === 'utf-8') return new StringDecoder('utf8');
  const decoder = new TextDecoder(name);
  return {
    write: (chunk) => decoder.decode(chunk, { stream: true }),
    end: () => decoder.decode(),
  };
}

/**
 * Whether bytes that are not valid UTF-8 look like Cyrillic text in Windows-1251: most of their bytes above 0x7F
 * are the code page's letters (0xC0–0xFF, and Ё/ё at 0xA8/0xB8), which in UTF-8 can only start a sequence.
 */
export function looksLikeWindows1251(bytes: Buffer): boolean {
  let high = 0;
  let letters = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b < 0x80) continue;
    high++;
    if (b >= 0xc0 || b === 0xa8 || b === 0xb8) letters++;
  }
  return high > 0 && letters / high >= 0.8;
}

/**
 * Longest a row may run (in characters) without ending. Past it the text is refused instead of being carried from
 * chunk to chunk: a quote opened by mistake near the start of a large file would otherwise make every later chunk
 * re-scan the whole unfinished row.
 */
export const MAX_ROW_CHARS = 1_048_576;

const BOM = '\uFEFF';
/** Characters read before a file without LF is taken to end its lines with CR. */
const LINE_END_WINDOW = 65_536;

/**
 * The minimal Node readable papaparse's stream reader needs (`readable`, `read`, `on`, `pause`, `resume`). Text
 * emitted as `data` is parsed synchronously inside `emit`, so the rows of each chunk are known when `push` returns
 * and the reader of the file, not papaparse's unbounded queue, sets the pace (backpressure).
 */
class PushSource extends EventEmitter {
  readonly readable = true;
  read(): null {
    return null;
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
}

/** papaparse, fed one decoded chunk at a time; collects the rows of each chunk, stops at unsplittable text. */
class ChunkParser {
  readonly #source = new PushSource();
  readonly #rows: SplitItem[] = [];
  /** Characters fed so far, to tell how long the unfinished row carried by papaparse has grown. */
  #fed = 0;
  #stopped = false;

  constructor(options: SplitOptions, newline: '\n' | '\r') {
    const config = {
      delimiter: options.delimiter,
      quoteChar: options.quote,
      escapeChar: options.quote,
      newline,
      skipEmptyLines: false,
      chunk: (results: ParseResult<string[]>, parser: Parser) => this.#take(results, parser, newline),
      complete: () => {},
    };
    // Typed for File or NodeJS.ReadableStream; PushSource is the part of a readable papaparse reads.
    Papa.parse<string[]>(this.#source as unknown as NodeJS.ReadableStream, config);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Parses `text` (whole characters); returns the items completed by it, in order. */
  push(text: string): SplitItem[] {
    if (this.#stopped || text.length === 0) return this.#drain();
    this.#fed += text.length;
    this.#source.emit('data', text);
    return this.#drain();
  }

  /** Ends the text: the last row (if any) is completed or found unsplittable. */
  end(): SplitItem[] {
    if (!this.#stopped) this.#source.emit('end');
    return this.#drain();
  }

  #drain(): SplitItem[] {
    return this.#rows.splice(0, this.#rows.length);
  }

  #take(results: ParseResult<string[]>, parser: Parser, newline: string): void {
    if (this.#stopped) return;
    const bad = results.errors.find((e) => e.code === 'MissingQuotes' || e.code === 'InvalidQuotes');
    const data = results.data;
    const good = bad ? Math.min(bad.row ?? 0, data.length) : data.length;
    for (let i = 0; i < good; i++) this.#rows.push(cellsOf(data[i] as string[], newline));
    if (bad) {
      this.#stop(
        parser,
        bad.code === 'MissingQuotes'
          ? 'has a quoted field that is never closed'
          : 'has text after a closing quote',
      );
    } else if (this.#fed - results.meta.cursor > MAX_ROW_CHARS) {
      this.#stop(parser, `is longer than ${MAX_ROW_CHARS} characters`);
    }
  }

  #stop(parser: Parser, reason: string): void {
    this.#stopped = true;
    this.#rows.push({ unsplittable: true, reason });
    parser.abort();
  }
}

/**
 * A row as {@link splitRows} yields it. With `\n` as the row end, a CRLF line leaves its CR at the end of the last
 * cell: it belongs to the line end, not the cell. A line of one blank cell is a blank line (`[]`).
 */
function cellsOf(row: string[], newline: string): string[] {
  const last = row.length - 1;
  if (newline === '\n' && row[last]!.charCodeAt(row[last]!.length - 1) === 13) {
    row[last] = row[last]!.slice(0, -1);
  }
  if (last === 0 && row[0]!.trim() === '') return [];
  return row;
}

/**
 * Splits CSV bytes into rows with papaparse, in batches (one per chunk of input, see {@link SplitBatch}): blank lines kept as `[]`, a UTF-8
 * BOM dropped, cells untrimmed, quotes escaped by doubling. Memory stays flat: the next chunk is read only when the
 * consumer asks for the next batch.
 *
 * Line ends: LF and CRLF, mixed freely in one file; a file with no LF in its first 65,536 characters is read
 * with CR line ends. Text that
 * cannot be split into rows (a quoted field never closed, text after a closing quote, a row longer than
 * {@link MAX_ROW_CHARS}) does not throw: the batch ends with an {@link Unsplittable} item after every row before the
 * bad one, and nothing follows. papaparse's own messages quote the text (personal data) and are not passed on.
 *
 * Bytes are decoded in the dialect's encoding (UTF-8 unless it names another), so a character split between chunks
 * stays whole; invalid bytes become U+FFFD. Errors of `input` are thrown as they are.
 */
export async function* splitRows(
  input: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: SplitOptions,
): AsyncGenerator<SplitBatch> {
  const decoder = decoderFor(options.encoding);
  const utf8 = options.encoding === undefined || new TextDecoder(options.encoding).encoding === 'utf-8';
  let mayHoldLineBreaks = false;
  let mayHoldReplacementChars = false;
  let windows1251 = false;
  const batch = (rows: SplitItem[]): SplitBatch => ({
    rows,
    mayHoldLineBreaks,
    mayHoldReplacementChars,
    ...(windows1251 ? { looksLikeWindows1251: true as const } : {}),
  });
  const scan = (text: string) => {
    mayHoldLineBreaks ||= text.includes(options.quote) || text.includes('\r');
    mayHoldReplacementChars ||= text.includes('\uFFFD');
  };
  let parser: ChunkParser | undefined;
  /** Text held until the line end of the file is known (see lineEndOf). */
  let head = '';
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    if (utf8 && !windows1251 && typeof chunk !== 'string' && text.includes('\uFFFD')) {
      windows1251 = looksLikeWindows1251(chunk);
    }
    if (!parser) {
      head += text;
      const newline = lineEndOf(head, false);
      if (newline === undefined) continue;
      parser = new ChunkParser(options, newline);
      text = head.startsWith(BOM) ? head.slice(1) : head;
      head = '';
    }
    scan(text);
    const rows = parser.push(text);
    if (rows.length > 0) yield batch(rows);
    if (parser.stopped) return;
  }
  let tail = decoder.end();
  if (!parser) {
    tail = head + tail;
    if (tail.startsWith(BOM)) tail = tail.slice(1);
    if (tail.length === 0) return;
    parser = new ChunkParser(options, lineEndOf(tail, true) ?? '\n');
  }
  scan(tail);
  const rest = parser.push(tail);
  const last = parser.stopped ? rest : [...rest, ...parser.end()];
  if (last.length > 0) yield batch(last);
}

/**
 * The line end of a file from its first characters: `\n` once they hold an LF; `\r` when {@link LINE_END_WINDOW}
 * characters (or the whole text, `ended`) hold a CR and no LF; else not known yet.
 */
function lineEndOf(text: string, ended: boolean): '\n' | '\r' | undefined {
  if (text.includes('\n')) return '\n';
  if (!ended && text.length < LINE_END_WINDOW) return undefined;
  return text.includes('\r') ? '\r' : '\n';
}

/** Whether an item of {@link splitRows} is the final unsplittable marker. */
export function isUnsplittable(item: SplitItem): item is Unsplittable {
  return !Array.isArray(item);
}
