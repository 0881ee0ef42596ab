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

  it('is named tm and describes the pipeline', () => {
    const program = buildProgram();
    expect(program.name()).to.equal('tm');
    expect(program.helpInformation()).to.contain('Telemarketing pipeline');
  });
});
