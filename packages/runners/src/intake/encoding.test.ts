import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Application } from '@tm/contracts';
import { MemoryBroker, memoryTransport, StageMetrics } from '@tm/pipeline-core';
import { readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { createLogger } from '../runtime/index.js';
import { contractSerdes } from '../runtime/serdes.js';
import { createIntake } from './intake.js';
import { type IntakeFolders, intakeConfig, intakeFolders, namesIn } from './testing/intake-fixtures.js';

/** Text as bytes of a single-byte encoding, from the runtime's own decoder table (throws for a character it lacks). */
function encodeSingleByte(text: string, encoding: string): Buffer {
  const decoder = new TextDecoder(encoding);
  const byteOf = new Map<string, number>();
  for (let b = 0; b < 256; b++) byteOf.set(decoder.decode(Uint8Array.of(b)), b);
  return Buffer.from(
    [...text].map((ch) => {
      const b = byteOf.get(ch);
      if (b === undefined) throw new Error(`no ${encoding} byte for ${ch}`);
      return b;
    }),
  );
}

/** A valid Appendix A row with the given application number and names. */
const row = (n: number, last: string, first: string, middle: string) =>
  `${n};07.10.2023;10:57:25;07.10.2023;11:09:03;created;;;;;pioneer;79529320067;;RUS;;;${last};${first};${middle};;M;;;;25000;;express;63;day;;`;

describe('intake: data streams in other encodings (issue 18)', () => {
  let folders: IntakeFolders;
  const logger = createLogger('intake-encoding', { level: 'silent' });
  beforeEach(async () => {
    folders = await intakeFolders();
  });
  afterEach(() => folders.cleanup());

  const text = `${row(1, 'ЁЛКИН', 'СЕРГЕЙ', 'ЮРЬЕВИЧ')}\n${row(2, 'ЩЕДРИНА', 'ЭЛЬВИРА', 'ЪЕВНА')}\n`;

  it('imports a Windows-1251 file on a stream configured for it, with the Cyrillic intact on the topic', async () => {
    await writeFile(join(folders.posReject, 'partner.csv'), encodeSingleByte(text, 'windows-1251'));
    const transport = memoryTransport(new MemoryBroker());
    const config = intakeConfig(folders, {
      topic: 'incoming',
      ledgerTopic: 'ledger',
      transport: 'memory',
      posRejectEncoding: 'windows-1251',
    });
    const intake = createIntake({ config, transport, logger, metrics: new StageMetrics() });
    try {
      const outcomes = await intake.importPending();
      expect(outcomes.map((o) => `${o.file}:${o.outcome}:${o.published}`)).to.deep.equal([
        'partner.csv:accepted:2',
      ]);
    } finally {
      await intake.stop();
    }
    const serde = contractSerdes().application;
    const apps = (await readTopic(transport, 'incoming', 2)).map(
      (r) => serde.decode(r.value as Buffer) as Application,
    );
    expect(apps.map((a) => [a.lastName, a.firstName, a.middleName])).to.deep.equal([
      ['ЁЛКИН', 'СЕРГЕЙ', 'ЮРЬЕВИЧ'],
      ['ЩЕДРИНА', 'ЭЛЬВИРА', 'ЪЕВНА'],
    ]);
  });

  it('refuses the same file on a UTF-8 stream, naming the encoding it looks like in the report', async () => {
    await writeFile(join(folders.mobileLoans, 'partner.csv'), encodeSingleByte(text, 'windows-1251'));
    const transport = memoryTransport(new MemoryBroker());
    const config = intakeConfig(folders, { topic: 'incoming', ledgerTopic: 'ledger', transport: 'memory' });
    const intake = createIntake({ config, transport, logger, metrics: new StageMetrics() });
    try {
      const outcomes = await intake.importPending();
      expect(outcomes.map((o) => `${o.file}:${o.outcome}:${o.published}`)).to.deep.equal([
        'partner.csv:rejected:0',
      ]);
    } finally {
      await intake.stop();
    }
    expect(await namesIn(join(folders.mobileLoans, 'error'))).to.deep.equal([
      'partner.csv',
      'partner.csv.errors.txt',
    ]);
    const report = await readFile(join(folders.mobileLoans, 'error', 'partner.csv.errors.txt'), 'utf8');
    expect(report.split('\n')[0]).to.equal(
      '1:*: row is not valid UTF-8 text: the file looks like Windows-1251 (set csv.encoding: windows-1251 on its data stream)',
    );
  });
});
