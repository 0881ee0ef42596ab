/**
 * The worker thread of `checkFile(..., { inWorker: true })`: runs format control of one file and posts its batches
 * (encoded rows transferred, not copied), waiting for a credit from the reader before each batch beyond the first
 * few, then the summary.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CsvReadError } from '@tm/contracts';
import { checkHere, type WorkerInput, type WorkerMessage } from './format-pass.js';

const port = parentPort;
if (!port) throw new Error('format-worker runs as a worker thread');
const { path, options, credits: initialCredits } = workerData as WorkerInput;

let credits = initialCredits;
let wake: (() => void) | undefined;
port.on('message', () => {
  credits++;
  wake?.();
  wake = undefined;
});

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const batches = checkHere(path, options);
  for (;;) {
    const next = await batches.next();
    if (next.done) {
      post({ type: 'end', summary: next.value });
      break;
    }
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    const { records } = next.value;
    const transfer = [records.lines.buffer, records.ends.buffer, records.values.buffer].filter(
      (b): b is ArrayBuffer => b instanceof ArrayBuffer && b.byteLength > 0,
    );
    post({ type: 'batch', batch: next.value }, transfer);
  }
} catch (err) {
  post({
    type: 'failed',
    message: err instanceof CsvReadError && err.cause instanceof Error ? err.cause.message : String(err),
    readError: err instanceof CsvReadError,
  });
}
port.close();
