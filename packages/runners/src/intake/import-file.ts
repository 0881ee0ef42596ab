import type { IncomingFile } from './folder-scan.js';
import { importInChunks } from './import-in-chunks.js';
import { importInOneTransaction } from './import-one-transaction.js';
import type { FileOutcome, ImportOptions, StreamContext } from './import-types.js';

/**
 * Imports one file of a stream (thesis §2.6.1, DESIGN.md §4). Format control checks every row, hashing the bytes
 * on the way (the file's identity in the ledger) and encoding each good row (Avro) as it will be published; a
 * file with a bad row is moved to error/ with its report (`NAME.errors.txt`, the lines of `tm validate-csv`) and
 * nothing of it is published. Good rows are published as Applications to the stream's topic, keyed by application
 * number, and the file is moved to success/. Exactly once (ADRs 0041, 0068), in one of two modes:
 *
 * - **single transaction** (files up to `singleTransactionMaxBytes`): format control and publishing in one pass,
 *   every row and the file's ledger entry in one Kafka transaction, committed once the whole file passed; aborted
 *   at the first bad row, or when the ledger shows the same bytes were imported before. A crash aborts it, and
 *   the file is imported again from the start.
 * - **chunked** (larger files): format control first, the encoded rows spooled beside the file (ADR 0044), then
 *   published in transactions of `rowsPerTransaction` rows, each writing the file's progress to the ledger; a
 *   crash resumes after the last committed line.
 *
 * Names never collide: a file whose name is taken in success/ or error/ gets `BASE.N.EXT` (see `freeName`).
 *
 * @return the outcome, or `'stopped'` when `shouldStop` stopped it.
 * @throws {CsvReadError} when the file cannot be read; transport errors as they come (the transaction is
 *   aborted, the file stays for the next attempt, and the ledger says where it got to).
 */
export async function importFile(
  file: IncomingFile,
  ctx: StreamContext,
  options: ImportOptions = {},
): Promise<FileOutcome | 'stopped'> {
  return file.size <= ctx.singleTransactionMaxBytes
    ? importInOneTransaction(file, ctx, options)
    : importInChunks(file, ctx, options);
}
