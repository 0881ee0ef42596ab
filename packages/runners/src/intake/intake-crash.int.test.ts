import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport } from '@tm/pipeline-core';
import { eventually, readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { logLevel } from 'kafkajs';
import {
  type IntakeFolders,
  intakeConfigYaml,
  intakeFolders,
  namesIn,
  writeCsv,
} from './testing/intake-fixtures.js';
import { repoRoot } from './testing/run-tm.js';

const ROWS = 200_000;

/**
 * Counts the records of `topic` as a read_uncommitted consumer sees them (an admin's offsets are the last stable
 * ones, which an open transaction holds back).
 */
async function countUncommitted(
  transport: ReturnType<typeof kafkaTransport>,
  topic: string,
): Promise<{ count: number; stop(): Promise<void> }> {
  const consumer = transport.kafka.consumer({ groupId: uniqueName('crash-watch'), readUncommitted: true });
  const state = { count: 0, stop: () => consumer.disconnect() };
  await transport.ensureTopics([{ topic, partitions: 3 }]); // as the runner would create it
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch }) => {
      state.count += batch.messages.length;
    },
  });
  return state;
}

/** `tm run intake --config FILE` as a child process, its log lines collected. */
function startRunner(configFile: string): {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
} {
  const child = spawn(
    process.execPath,
    [
      '--conditions=tm-source',
      '--import',
      'tsx',
      join(repoRoot, 'packages/runners/src/cli.ts'),
      'run',
      'intake',
      '--config',
      configFile,
    ],
    { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const log: string[] = [];
  let rest = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop() ?? '';
    log.push(...lines);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, log, exited };
}

/**
 * The two modes of ADR 0068: a file within events.single-transaction-max-bytes goes out in one transaction, which
 * the kill leaves open and the restart aborts (the file is imported again from the start); a larger one in
 * transactions of rows-per-transaction, resumed after the last committed line.
 */
const MODES = [
  { mode: 'single-transaction', singleTransactionMaxBytes: undefined, restartLog: '"published":200000' },
  { mode: 'chunked', singleTransactionMaxBytes: 0, restartLog: 'resuming a file' },
] as const;

describe('intake killed with SIGKILL mid-file', function () {
  // Generating 200,000 rows once, then importing them twice per mode: about a minute a mode on the shared 2-core
  // machine.
  this.timeout(240_000);
  let folders: IntakeFolders;
  let generated: string;

  before(async () => {
    folders = await intakeFolders();
    generated = join(folders.base, 'big.csv.generated');
    await writeCsv(generated, { rows: ROWS, seed: 77 });
  });
  after(async () => {
    await folders.cleanup();
  });

  for (const { mode, singleTransactionMaxBytes, restartLog } of MODES) {
    it(`publishes every row of a 200,000-row file exactly once after a restart, and moves the file once (${mode})`, async () => {
      const brokers = testServices().kafkaBrokers;
      const topic = uniqueName(`intake-crash-${mode}`);
      const configFile = join(folders.base, `pipeline-${mode}.yaml`);
      await writeFile(
        configFile,
        intakeConfigYaml(folders, {
          topic,
          ledgerTopic: uniqueName('intake-crash-ledger'),
          transport: 'kafka',
          brokers,
          clientId: uniqueName('intake-crash'),
          rowsPerTransaction: 5000,
          ...(singleTransactionMaxBytes === undefined ? {} : { singleTransactionMaxBytes }),
          stableAfterMs: 500,
          pollIntervalMs: 100,
        }),
      );
      const transport = kafkaTransport({ brokers, logLevel: logLevel.NOTHING });
      let seenReader: { stop(): Promise<void> } | undefined;
      const success = join(folders.mobileLoans, 'success');
      try {
        // Written under a temporary name and renamed, as a partner's upload would be.
        const tmp = join(folders.mobileLoans, 'big.csv.part');
        await copyFile(generated, tmp);

        const first = startRunner(configFile);
        await eventually(
          async () => first.log.some((l) => l.includes('intake watching')),
          'runner started',
          60_000,
        );
        await rename(tmp, join(folders.mobileLoans, 'big.csv'));
        // Records written, committed or not: a read_uncommitted reader sees the open transaction's records too.
        const seen = await countUncommitted(transport, topic);
        seenReader = seen;
        const written = () => seen.count;
        await eventually(() => written() > 40_000, 'a good part of the file published', 120_000);
        first.child.kill('SIGKILL');
        await first.exited;
        const atKill = written();
        expect(atKill, 'killed in the middle of the file').to.be.lessThan(ROWS);
        expect(await namesIn(folders.mobileLoans)).to.include('big.csv');
        expect(await namesIn(success)).to.deep.equal([]);

        const second = startRunner(configFile);
        await eventually(
          async () => (await namesIn(success)).includes('big.csv'),
          'big.csv in success/',
          180_000,
        );
        second.child.kill('SIGTERM');
        expect(await second.exited, 'exit code after SIGTERM').to.equal(0);
        expect(
          second.log.some((l) => l.includes(restartLog)),
          `the restarted runner logged ${restartLog}`,
        ).to.equal(true);

        const records = await readTopic(transport, topic, ROWS, { settleMs: 3000, timeoutMs: 120_000 });
        const keys = new Set(records.map((r) => String(r.key)));
        expect(keys.size, 'distinct application numbers').to.equal(ROWS);
        expect(records.length, 'records seen by a read_committed consumer').to.equal(ROWS);
        if (mode === 'single-transaction') {
          // The killed import's rows are still in the log, in its aborted transaction, unseen by the reader.
          await eventually(
            () => written() >= ROWS + 40_000,
            'the records of both imports in the log',
            60_000,
          );
        }
        expect(await namesIn(success)).to.deep.equal(['big.csv']);
        expect(await namesIn(folders.mobileLoans)).to.deep.equal(['success']);
      } finally {
        await rm(success, { recursive: true, force: true });
        await seenReader?.stop();
        await transport.close();
      }
    });
  }
});
