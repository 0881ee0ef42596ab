import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { writeEngineConfig } from '../campaign/engine/test-support.js';
import { buildProgram } from '../cli.js';
import { runTm } from '../intake/testing/run-tm.js';

describe('tm run campaign', function () {
  this.timeout(60_000);

  it('is a subcommand of tm run, with its options', async () => {
    const run = (await buildProgram()).commands.find((c) => c.name() === 'run');
    const campaign = run?.commands.find((c) => c.name() === 'campaign');
    expect(campaign?.options.map((o) => o.long)).to.deep.equal(['--config', '--database-url', '--ops-port']);
  });

  it('waits for an unreachable database up to the outage limit, then exits 1 with a log line saying why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-run-campaign-'));
    try {
      const config = writeEngineConfig(dir, [
        [['infra', 'database', 'url'], 'postgres://tm@127.0.0.1:1/none'],
        [['infra', 'kafka', 'outage-limit-ms'], 3000],
      ]);
      const result = await runTm(['run', 'campaign', '--config', config]);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.include('cannot start yet; trying again');
      const line = result.stdout.split('\n').find((l) => l.includes('campaign engine cannot start'));
      expect(line, result.stdout + result.stderr).to.be.a('string');
      expect(JSON.parse(line as string).error).to.match(/ECONNREFUSED|connect/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
