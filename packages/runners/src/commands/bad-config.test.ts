import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runTm } from '../intake/testing/run-tm.js';

/**
 * Every `tm` command that reads the pipeline config, given one it cannot use, prints the problems the way
 * `tm check-config` does and exits 2, with no stack trace (issue 18).
 */
describe('tm commands with a bad config', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'tm-bad-config-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'events:\n  data-streams: 3\nevents-analyser: { campaigns: [] }\n');
  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, '');
  after(() => rmSync(dir, { recursive: true, force: true }));

  const commands: string[][] = [
    ['run', 'analyser'],
    ['run', 'campaign'],
    ['run', 'intake'],
    ['run', 'simulators'],
    ['migrate'],
    ['ingest', csv, '--stream', 'MOBILE_LOANS'],
  ];

  it('each exits 2 and lists the problems with their key paths, without a stack trace', async () => {
    const results = await Promise.all(commands.map((args) => runTm([...args, '--config', bad])));
    results.forEach((result, i) => {
      const name = (commands[i] as string[]).slice(0, 2).join(' ');
      expect(result.code, `tm ${name}: ${result.stderr}`).to.equal(2);
      expect(result.stderr, name).to.contain(`${bad}: 2 problem(s)`);
      expect(result.stderr, name).to.contain(
        '  events.data-streams: Invalid input: expected array, received number',
      );
      expect(result.stderr, name).to.not.match(/\n\s+at /);
    });
  });

  it('names a config file it cannot read, and exits 2', async () => {
    const result = await runTm(['run', 'simulators', '--config', join(dir, 'missing.yaml')]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/missing\.yaml: 1 problem\(s\)\n {2}\(root\): cannot read: ENOENT/);
    expect(result.stderr).to.not.match(/\n\s+at /);
  });

  it('refuses an ops port that is not a port number, as a usage error', async () => {
    const result = await runTm(['run', 'campaign', '--ops-port', 'eighty']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('--ops-port must be a port number from 0 to 65535, not "eighty"');
  });
});
