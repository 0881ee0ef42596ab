import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Command } from 'commander';
import { buildProgram, normaliseArgv } from './cli.js';
import { CONFIG_DEFAULT_TEXT } from './commands/config-option.js';
import { COMMANDS, commandsFor } from './commands/index.js';

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

  it('is named tm and describes the pipeline', async function () {
    this.timeout(60_000); // the first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources

    const program = await buildProgram();
    expect(program.name()).to.equal('tm');
    expect(program.helpInformation()).to.contain('Telemarketing pipeline');
  });

  it('describes --config the same way in every command that takes it, and resolves it when the command runs', async function () {
    this.timeout(60_000); // the first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources

    const leaves = (command: Command): Command[] =>
      command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);
    const withConfig = leaves(await buildProgram()).filter((c) =>
      c.options.some((o) => o.long === '--config'),
    );
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

  describe('loading commands on dispatch (issue 16)', () => {
    const words = (args: readonly string[]) => commandsFor(args).map((c) => c.words.join(' '));

    it('loads only the command named, or the group named, or every command when none is named', () => {
      expect(words(['ingest', 'rows.csv', '--stream', 'MOBILE_LOANS'])).to.deep.equal(['ingest']);
      expect(words(['run', 'analyser', '--config', 'x.yaml'])).to.deep.equal(['run analyser']);
      expect(words(['operators', 'add', 'ivanov'])).to.deep.equal(['operators']);
      expect(words(['ingest', '--help'])).to.deep.equal(['ingest']);
      expect(words(['run', '--help'])).to.deep.equal(
        COMMANDS.filter((c) => c.words[0] === 'run').map((c) => c.words.join(' ')),
      );
      expect(words(['run']).length).to.equal(8);
      for (const args of [
        [],
        ['--help'],
        ['--version'],
        ['help', 'ingest'],
        ['ingets', 'rows.csv'],
        ['run', 'analyzer'],
      ])
        expect(commandsFor(args), args.join(' ')).to.equal(COMMANDS);
      expect(commandsFor(undefined)).to.equal(COMMANDS);
    });

    it('names in its table the very command each module registers', async function () {
      this.timeout(60_000); // the first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources

      for (const entry of COMMANDS) {
        const program = new Command('tm');
        (await entry.load()).register(program);
        const [first, second] = entry.words;
        const command = program.commands.find((c) => c.name() === first);
        expect(
          program.commands.map((c) => c.name()),
          entry.words.join(' '),
        ).to.deep.equal([first]);
        if (second !== undefined)
          expect(
            command?.commands.map((c) => c.name()),
            entry.words.join(' '),
          ).to.deep.equal([second]);
      }
    });

    it('builds a program with the one command a command line names, which parses it', async function () {
      this.timeout(60_000); // the first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources

      const program = await buildProgram(['gen-csv', '--rows', '1']);
      expect(program.commands.map((c) => c.name())).to.deep.equal(['gen-csv']);
      const all = await buildProgram(['--help']);
      expect(all.commands.map((c) => c.name())).to.include.members([
        'check-config',
        'run',
        'ingest',
        'operators',
      ]);
      expect(all.commands.find((c) => c.name() === 'run')?.commands.length).to.equal(8);
    });
  });
});
