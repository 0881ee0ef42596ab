/**
 * intake (DESIGN.md §6: CSV intake ≥ 50,000 rows/s; each runner's RSS ≤ 300 MB): format control alone, then the
 * whole import of a 1,000,000-row file by `tm ingest` in a child process on the bench broker (format control,
 * Avro encoding, Kafka transactions with the ledger, the move to success/), its peak RSS sampled from /proc, the
 * peak RSS of refusing a 100,000-row file whose last row is bad (issue 16), and Kafka's own producer benchmark for
 * records of the same size.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Application, readCsvFile, schemasDir, validateCsvFile } from '@tm/contracts';
import { AvroSchemaStore, avroSingleObjectSerde, kafkaTransport } from '@tm/pipeline-core';
import { writeGeneratedCsv } from '@tm/runners';
import { benchKafka, benchName, producerPerf } from '../kafka.js';
import { atLeast, atMost, type BenchResult, repoRoot, reported } from '../results.js';
import { buildRunners, builtCli, runnerNodeArgs } from '../runner-image.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const ROWS = 1_000_000;
/** Rows of the refused file: its one bad row is the last (the generator spreads `invalidRate × rows` evenly). */
const BAD_FILE_ROWS = 100_000;
const MB = 1024 * 1024;

function perSecond(count: number, startedAt: bigint): number {
  return count / (Number(process.hrtime.bigint() - startedAt) / 1e9);
}

/** The Avro values intake publishes for the file's first 1,000 rows. */
async function sampleValues(file: string): Promise<Buffer[]> {
  const serde = avroSingleObjectSerde<Application>(
    AvroSchemaStore.fromDirectory(schemasDir),
    'tm.Application',
  );
  const values: Buffer[] = [];
  for await (const row of readCsvFile(file, { dataStream: 'MOBILE_LOANS' })) {
    if (row.ok) values.push(serde.encode(row.application));
    if (values.length === 1000) break;
  }
  return values;
}

/**
 * The transport alone: `count` pre-encoded records through one kafkajs transactional producer, sent as intake
 * sends a file in one transaction (2,500 a send, one send in flight, one transaction). The ceiling of
 * intake.kafka on this broker.
 */
async function transportOnly(
  brokers: readonly string[],
  values: readonly Buffer[],
  count: number,
): Promise<number> {
  const transport = kafkaTransport({ brokers, clientId: benchName('bench-intake-tx') });
  const topic = benchName('bench-intake-tx');
  try {
    await transport.ensureTopics([{ topic, partitions: 6 }]);
    const producer = transport.createProducer({
      transactionalId: benchName('bench-intake-tx'),
      transactionTimeoutMs: 900_000,
    });
    await producer.connect();
    const startedAt = process.hrtime.bigint();
    const txn = await producer.transaction();
    let inFlight: Promise<void> | undefined;
    for (let j = 0; j < count; j += 2500) {
      const records = Array.from({ length: Math.min(2500, count - j) }, (_, k) => ({
        topic,
        key: String(4_000_000_000 + j + k),
        value: values[(j + k) % values.length] as Buffer,
      }));
      await inFlight;
      inFlight = txn.send(records);
    }
    await inFlight;
    await txn.commit();
    const rate = perSecond(count, startedAt);
    await producer.disconnect();
    return rate;
  } finally {
    await transport.close();
  }
}

/** Peak resident set (VmHWM) of a process, read from /proc until it exits. */
function samplePeakRss(pid: number): { stop: () => number } {
  let peakKb = 0;
  const sample = async () => {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      peakKb = Math.max(peakKb, kb);
    } catch {
      // the process has exited
    }
  };
  const timer = setInterval(() => void sample(), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return (peakKb * 1024) / MB;
    },
  };
}

/**
 * `tm ingest FILE --stream MOBILE_LOANS --config CONFIG` as a child; its summary line and peak RSS. `expectedCode`:
 * 0 the file must be accepted, 1 refused by format control.
 */
async function ingestInChild(
  file: string,
  config: string,
  expectedCode: 0 | 1 = 0,
): Promise<{ summary: string; peakMb: number }> {
  const child = spawn(
    process.execPath,
    [
      ...runnerNodeArgs(),
      builtCli,
      'ingest',
      file,
      '--stream',
      'MOBILE_LOANS',
      '--config',
      config,
      '--no-progress',
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  );
  const rss = samplePeakRss(child.pid as number);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const peakMb = rss.stop();
  if (code !== expectedCode)
    throw new Error(`tm ingest exited ${code} (expected ${expectedCode}): ${stdout}`);
  return { summary: stdout.trim(), peakMb };
}

/** A config of one stream over `folder`, topic and ledger named after `name`, with `extraEvents` in events:. */
function benchConfig(folder: string, brokers: readonly string[], name: string, extraEvents = ''): string {
  return `events:
  ledger-topic: ${benchName(`${name}-ledger`)}
${extraEvents}  data-streams:
    - { name: MOBILE_LOANS, folder: ${JSON.stringify(folder)}, topic: ${benchName(name)} }
events-analyser:
  campaigns: [{ campaign-id: 1, data-streams: MOBILE_LOANS, request-statuses: registered }]
topics: { partitions: 6 }
infra:
  kafka: { brokers: ${JSON.stringify(brokers.join(','))}, client-id: ${benchName(name)} }
  database: { url: unused }
  redis: { url: unused }
`;
}

export async function intakeSuite(): Promise<Result[]> {
  buildRunners();
  const dir = await mkdtemp(join(tmpdir(), 'tm-bench-intake-'));
  const kafka = await benchKafka();
  try {
    const folder = join(dir, 'mobile_loans');
    await mkdir(folder);
    const file = join(folder, 'bench.csv');
    await writeGeneratedCsv({ rows: ROWS, seed: 42 }, createWriteStream(file));
    const rows = `${ROWS.toLocaleString('en-US')} generated rows (${Math.round((await stat(file)).size / MB)} MB)`;

    let startedAt = process.hrtime.bigint();
    const checked = await validateCsvFile(file, { dataStream: 'MOBILE_LOANS' });
    const validateRate = perSecond(checked.rows, startedAt);

    const config = join(dir, 'pipeline.yaml');
    await writeFile(config, benchConfig(folder, kafka.brokers, 'bench-intake'));
    // The same file once more in the mode of files above events.single-transaction-max-bytes (own topic and
    // ledger, so the ledger does not know the bytes).
    const chunkedConfig = join(dir, 'pipeline-chunked.yaml');
    await writeFile(
      chunkedConfig,
      benchConfig(folder, kafka.brokers, 'bench-intake-chunked', '  single-transaction-max-bytes: 0\n'),
    );
    startedAt = process.hrtime.bigint();
    const { summary, peakMb } = await ingestInChild(file, config);
    const wallRate = perSecond(ROWS, startedAt);
    const [, rateText, mode] = /, (\d+) rows\/s \(([^)]*)\);/.exec(summary) ?? [];
    const rate = Number(rateText ?? Number.NaN);

    const imported = join(folder, 'success', 'bench.csv');
    const values = await sampleValues(imported);
    const chunked = await ingestInChild(imported, chunkedConfig); // moved on to success/bench.1.csv
    const [, chunkedRateText, chunkedMode] = /, (\d+) rows\/s \(([^)]*)\);/.exec(chunked.summary) ?? [];

    const badFile = join(folder, 'bad-last-row.csv');
    await writeGeneratedCsv(
      { rows: BAD_FILE_ROWS, seed: 43, invalidRate: 1 / BAD_FILE_ROWS },
      createWriteStream(badFile),
    );
    const badFileMb = (await stat(badFile)).size / MB;
    const refused = await ingestInChild(badFile, config, 1);
    if (!refused.summary.includes(`refused by format control, 1 errors in ${BAD_FILE_ROWS} rows`)) {
      throw new Error(`bench: the bad file was not refused for its last row: ${refused.summary}`);
    }

    const recordSize = Math.round(values.reduce((sum, v) => sum + v.length, 0) / values.length);
    const transportRate = await transportOnly(kafka.brokers, values, ROWS);
    const perf = await producerPerf(
      kafka.brokers.join(','),
      benchName('bench-intake-perf'),
      ROWS,
      recordSize,
    );
    return [
      reported(
        'intake.validate',
        validateRate,
        'rows/s',
        `${rows}: read, split (papaparse) and format control (validateCsvFile), no Kafka`,
      ),
      atLeast(
        'intake.kafka',
        rate,
        'rows/s',
        50_000,
        `${rows} imported by \`tm ingest\` on Kafka ${kafka.version} (${mode}): format control and Avro encoding (${recordSize} B a row) in a worker thread, the rows produced by the main thread in one transaction with the file's ledger entry, then the move; process start excluded (${Math.round(wallRate).toLocaleString('en-US')} rows/s with it)`,
      ),
      reported(
        'intake.kafka.chunked',
        Number(chunkedRateText ?? Number.NaN),
        'rows/s',
        `the same file by \`tm ingest\` with events.single-transaction-max-bytes: 0, the mode of files above it (${chunkedMode}): format control into the spool first, then transactions of 10,000 rows, each with the ledger entry`,
      ),
      reported(
        'intake.kafka.transport-only',
        transportRate,
        'records/s',
        `the same ${ROWS.toLocaleString('en-US')} records pre-encoded, through one kafkajs transactional producer as intake sends a file (2,500 a send, one send in flight, one transaction): the ceiling of intake.kafka here`,
      ),
      atMost(
        'intake.peak-rss',
        peakMb,
        'MB',
        300,
        `peak RSS (VmHWM) of the \`tm ingest\` process importing ${ROWS.toLocaleString('en-US')} rows, run from dist/ with node ${runnerNodeArgs().join(' ') || 'with no flags'} as the image runs it`,
      ),
      atMost(
        'intake.bad-file.peak-rss',
        refused.peakMb,
        'MB',
        300,
        `peak RSS (VmHWM) of the \`tm ingest\` process refusing a ${BAD_FILE_ROWS.toLocaleString('en-US')}-row file (${badFileMb.toFixed(1)} MB) whose last row is bad: every row checked, encoded and sent in the file's transaction, then the transaction aborted and the file moved to error/ with its report (issue 16); run as intake.peak-rss`,
      ),
      reported(
        'intake.kafka.producer-perf',
        perf,
        'records/s',
        `Kafka's ProducerPerformance, ${ROWS.toLocaleString('en-US')} records of ${recordSize} B, acks=all, same broker`,
      ),
      reported(
        'intake.kafka / producer-perf',
        rate / perf,
        'ratio',
        'whole import (one pass, one transaction) vs. producing records of the same size with the Java client',
      ),
    ];
  } finally {
    await kafka.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
