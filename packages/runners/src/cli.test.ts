import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Command } from 'commander';
import { buildProgram, normaliseArgv } from './cli.js';
import { CONFIG_DEFAULT_TEXT } from './commands/config-option.js';

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

  it('prints its version with --version', async function () {
    this.timeout(60_000); // a process of its own, from the TypeScript sources
    const { runTm } = await import('./intake/testing/run-tm.js');
    const result = await runTm(['--version']);
    expect(result.code).to.equal(0);
    expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('runs when started through a symlink, as a package manager links its bin entry', async function () {
    this.timeout(60_000); // a process of its own, from the TypeScript sources
    const { repoRoot, runTypeScript } = await import('./intake/testing/run-tm.js');
    const dir = mkdtempSync(join(tmpdir(), 'tm-bin-'));
    try {
      const link = join(dir, 'tm.ts');
      symlinkSync(join(repoRoot, 'packages', 'runners', 'src', 'cli.ts'), link);
      const result = await runTypeScript(link, ['--version']);
      expect(result.code).to.equal(0);
      expect(result.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is named tm and describes the pipeline', () => {
    const program = buildProgram();
    expect(program.name()).to.equal('tm');
    expect(program.helpInformation()).to.contain('Telemarketing pipeline');
  });

  it('describes --config the same way in every command that takes it, and resolves it when the command runs', () => {
    const leaves = (command: Command): Command[] =>
      command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
    const withConfig = leaves(buildProgram()).filter((c) => c.options.some((o) => o.long === '--config'));
    expect(withConfig.length).to.be.greaterThan(10);
    for (const command of withConfig) {
      const option = command.options.find((o) => o.long === '--config');
      expect(option?.short, command.name()).to.equal('-c');
      expect(option?.description, command.name()).to.equal(
        `pipeline config file (default: ${CONFIG_DEFAULT_TEXT})`,
      );
      expect(option?.defaultValue, command.name()).to.equal(undefined);
    }
  });
});
