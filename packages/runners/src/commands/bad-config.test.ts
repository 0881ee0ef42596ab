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
  // Six processes at once, each loading the TypeScript sources: seconds on a quiet machine, more on a busy one.
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'tm-bad-config-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'events:\n  data-streams: 3\nevents-analyser: { campaigns: [] }\n');
  const csv = join(dir, 'rows.csv');
  writeFileSync(csv, '');
  // operators add and passwd read the password (here from the environment the children inherit) before the config.
  const password = process.env.TM_OPERATOR_PASSWORD;
  before(() => {
    process.env.TM_OPERATOR_PASSWORD = 'a-long-enough-password';
  });
  after(() => {
    if (password === undefined) delete process.env.TM_OPERATOR_PASSWORD;
    else process.env.TM_OPERATOR_PASSWORD = password;
    rmSync(dir, { recursive: true, force: true });
  });

  const commands: string[][] = [
    ['run', 'analyser'],
    ['run', 'campaign'],
    ['run', 'intake'],
    ['run', 'simulators'],
    ['run', 'dialer'],
    ['run', 'arm'],
    ['run', 'security'],
    ['run', 'kpi'],
    ['migrate'],
    ['ingest', csv, '--stream', 'MOBILE_LOANS'],
    ['validate-csv', csv, '--stream', 'MOBILE_LOANS'],
    ['gen-csv', '--rows', '1', '--stream', 'MOBILE_LOANS'],
    ['operators', 'list'],
    ['operators', 'add', 'ivanov', '--first-name', 'Ivan', '--last-name', 'Ivanov'],
    ['operators', 'passwd', 'ivanov'],
    ['operators', 'lock', 'ivanov'],
    ['operators', 'unlock', 'ivanov'],
  ];

  it('each exits 2 and lists the problems with their key paths, without a stack trace', async () => {
    // Six at a time: a process per command loads the TypeScript sources.
    const results: Awaited<ReturnType<typeof runTm>>[] = [];
    for (let i = 0; i < commands.length; i += 6) {
      const batch = commands.slice(i, i + 6).map((args) => runTm([...args, '--config', bad]));
      results.push(...(await Promise.all(batch)));
    }
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
