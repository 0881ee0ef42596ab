import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { buildProgram } from '../cli.js';
import { checkConfigFile } from './check-config.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const pipeline = join(repo, 'config', 'pipeline.yaml');

describe('tm check-config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tm-check-config-'));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('accepts config/pipeline.yaml and shows each campaign’s cascade', () => {
    const result = checkConfigFile(pipeline, { env: {} });
    expect(result.code).to.equal(0);
    expect(result.lines[0]).to.equal(`${pipeline}: OK, 2 campaign(s)`);
    expect(result.lines).to.include(
      '  campaign 2: RESIDENCE → AGE → PHONE_TEMPLATES → GRACE_PERIOD → PHONE_BLACK_LIST → ML_PHONE → PRODUCTS_AVAILABLE',
    );
  });

  it('accepts the thesis figures and notes the implicit PHONE_TEMPLATES', () => {
    const result = checkConfigFile(join(repo, 'config', 'examples', 'thesis-figures.yaml'), { env: {} });
    expect(result.code).to.equal(0);
    expect(
      result.lines.some((l) => l.startsWith('  note: events-analyser.campaigns[0].phone-templates: ')),
    ).to.equal(true);
  });

  it('accepts the thesis figures exactly as printed (no infra), noting where infra comes from', () => {
    const result = checkConfigFile(join(repo, 'config', 'examples', 'thesis-figures.yaml'), {
      env: { KAFKA_BROKERS: 'k:9092' },
    });
    expect(result.code).to.equal(0);
    expect(result.lines).to.include('  note: infra.kafka.brokers not set; using $KAFKA_BROKERS');
    expect(result.lines).to.include(
      '  note: infra.database.url not set; using the default postgres://tm:tm@localhost:5432/telemarketing',
    );
  });

  it('still refuses a misspelt filter and a non-numeric age in the thesis figures, with their key paths', () => {
    const thesis = readFileSync(join(repo, 'config', 'examples', 'thesis-figures.yaml'), 'utf8');
    const typo = checkConfigFile(write('thesis-typo.yaml', thesis.replace('- ML_FACE ', '- ML_FASE ')), {
      env: {},
    });
    expect(typo.code).to.equal(1);
    expect(typo.lines[1]).to.match(
      /^ {2}events-analyser\.campaigns\[0\]\.filters-order\[5\]: unknown filter ML_FASE/,
    );
    const age = checkConfigFile(
      write('thesis-age.yaml', thesis.replace('min-age: 18', 'min-age: eighteen')),
      {
        env: {},
      },
    );
    expect(age.code).to.equal(1);
    expect(age.lines[1]).to.match(/^ {2}events-analyser\.campaigns\[0\]\.min-age: /);
  });

  it('prints every problem of a broken config with its key path, and exits 1', () => {
    const broken = readFileSync(pipeline, 'utf8')
      .replace('min-age: 18', 'min-age: -3')
      .replace('        - ML_DOCUMENT\n', '        - ML_DOCUMENTS\n')
      .replace('max-grace-period: 2 months', 'max-grace-period: 2 weeks')
      .replace('        - 79\\d{9}', '        - 79(\\d{9}')
      .replace('timeout-ms: 3000', 'timeout-ms: soon');
    const file = write('broken.yaml', broken);
    // Schema problems of the file come first; the filters' settings are checked once the file itself is valid.
    const first = checkConfigFile(file, { env: {} });
    expect(first.code).to.equal(1);
    expect(first.lines).to.deep.equal([
      `${file}: 1 problem(s)`,
      '  services.abram.timeout-ms: Invalid input: expected number, received string',
    ]);
    const second = checkConfigFile(
      write('broken2.yaml', broken.replace('timeout-ms: soon', 'timeout-ms: 3000')),
      {
        env: {},
      },
    );
    expect(second.code).to.equal(1);
    expect(second.lines.slice(0, 5)).to.deep.equal([
      `${join(dir, 'broken2.yaml')}: 4 problem(s)`,
      '  events-analyser.campaigns[0].min-age: Too small: expected number to be >=0',
      `  events-analyser.campaigns[0].filters-order[6]: unknown filter ML_DOCUMENTS (known: RESIDENCE, AGE, PHONE_TEMPLATES, GRACE_PERIOD, PHONE_BLACK_LIST, ML_DEVICE, ML_PHONE, ML_FACE, ML_DOCUMENT, PRODUCTS_AVAILABLE)`,
      '  events-analyser.campaigns[1].phone-templates[0]: not a regular expression: Invalid regular expression: /79(\\d{9}/: Unterminated group',
      '  events-analyser.campaigns[1].max-grace-period: a whole number of days, or a number with a unit: "14 days", "2 months"',
    ]);
  });

  it('exits 2 for a file it cannot read', () => {
    const result = checkConfigFile(join(dir, 'missing.yaml'));
    expect(result.code).to.equal(2);
    expect(result.lines[0]).to.match(/missing\.yaml: cannot read: ENOENT/);
  });

  it('is a tm command, and tm run simulators and tm run intake are in the run group', async function () {
    this.timeout(60_000); // the first build imports every command's module (loaded on dispatch since issue 16), from the TypeScript sources

    const program = await buildProgram();
    expect(program.commands.map((c) => c.name())).to.include.members(['check-config', 'run']);
    const run = program.commands.find((c) => c.name() === 'run');
    expect(run?.commands.map((c) => c.name())).to.include.members(['simulators', 'intake']);
  });
});
