import { type ChildProcess, spawn } from 'node:child_process';
import { rename, writeFile } from 'node:fs/promises';
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

describe('intake killed with SIGKILL mid-file', function () {
  // Generating 200,000 rows and importing them twice: about a minute on the shared 2-core machine.
  this.timeout(240_000);
  let folders: IntakeFolders;

  before(async () => {
    folders = await intakeFolders();
  });
  after(async () => {
    await folders.cleanup();
  });

  it('publishes every row of a 200,000-row file exactly once after a restart, and moves the file once', async () => {
    const rows = 200_000;
    const brokers = testServices().kafkaBrokers;
    const topic = uniqueName('intake-crash');
    const configFile = join(folders.base, 'pipeline.yaml');
    await writeFile(
      configFile,
      intakeConfigYaml(folders, {
        topic,
        ledgerTopic: uniqueName('intake-crash-ledger'),
        transport: 'kafka',
        brokers,
        clientId: uniqueName('intake-crash'),
        rowsPerTransaction: 5000,
        stableAfterMs: 500,
        pollIntervalMs: 100,
      }),
    );
    const transport = kafkaTransport({ brokers, logLevel: logLevel.NOTHING });
    const admin = transport.kafka.admin();
    await admin.connect();
    try {
      // Written under a temporary name and renamed, as a partner's upload would be.
      const tmp = join(folders.mobileLoans, 'big.csv.part');
      await writeCsv(tmp, { rows, seed: 77 });

      const first = startRunner(configFile);
      await eventually(
        async () => first.log.some((l) => l.includes('intake watching')),
        'runner started',
        60_000,
      );
      await rename(tmp, join(folders.mobileLoans, 'big.csv'));
      const written = async () => {
        try {
          return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
        } catch {
          return 0;
        }
      };
      await eventually(async () => (await written()) > 40_000, 'a good part of the file published', 120_000);
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = await written();
      expect(atKill, 'killed in the middle of the file').to.be.lessThan(rows);
      expect(await namesIn(folders.mobileLoans)).to.include('big.csv');
      expect(await namesIn(join(folders.mobileLoans, 'success'))).to.deep.equal([]);

      const second = startRunner(configFile);
      await eventually(
        async () => (await namesIn(join(folders.mobileLoans, 'success'))).includes('big.csv'),
        'big.csv in success/',
        180_000,
      );
      second.child.kill('SIGTERM');
      expect(await second.exited, 'exit code after SIGTERM').to.equal(0);
      expect(
        second.log.some((l) => l.includes('resuming a file')),
        'the restarted runner resumed the file',
      ).to.equal(true);

      const records = await readTopic(transport, topic, rows, { settleMs: 3000, timeoutMs: 120_000 });
      const keys = new Set(records.map((r) => String(r.key)));
      expect(keys.size, 'distinct application numbers').to.equal(rows);
      expect(records.length, 'records seen by a read_committed consumer').to.equal(rows);
      expect(await namesIn(join(folders.mobileLoans, 'success'))).to.deep.equal(['big.csv']);
      expect(await namesIn(folders.mobileLoans)).to.deep.equal(['success']);
    } finally {
      await admin.disconnect();
      await transport.close();
    }
  });
});
