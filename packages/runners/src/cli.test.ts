import { expect } from 'chai';
import { buildProgram, normaliseArgv } from './cli.js';

describe('tm CLI', () => {
  it('drops the `--` that pnpm passes through to scripts', () => {
    expect(normaliseArgv(['node', 'cli.ts', '--', '--rows', '5'])).to.deep.equal(['--rows', '5']);
    expect(normaliseArgv(['node', 'cli.ts', 'run', 'intake'])).to.deep.equal(['run', 'intake']);
    expect(normaliseArgv(['node', 'cli.ts', 'demo', '--', '--rows', '5'])).to.deep.equal([
      'demo',
      '--rows',
      '5',
    ]);
  });

  it('prints its version with --version', async () => {
    const { runTm } = await import('./intake/testing/run-tm.js');
    const result = await runTm(['--version']);
    expect(result.code).to.equal(0);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('is named tm and describes the pipeline', () => {
    const program = buildProgram();
    expect(program.name()).to.equal('tm');
    expect(program.helpInformation()).to.contain('Telemarketing pipeline');
  });
});
