import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadPipelineConfig, parsePipelineConfig } from './load.js';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
const minimal = (extra = '') => `
events:
  data-streams:
    - name: MOBILE_LOANS
      folder: /data/mobile_loans
events-analyser:
  campaigns:
    - campaign-id: 1
      data-streams: MOBILE_LOANS
      request-statuses: registered
infra:
  kafka: { brokers: "localhost:9092" }
  database: { url: "postgres://localhost/x" }
  redis: { url: "redis://localhost" }
${extra}`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parsePipelineConfig(text, { env });
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe('pipeline config', () => {
  it('loads config/pipeline.yaml with defaults filled in', () => {
    const config = loadPipelineConfig(join(repo, 'config', 'pipeline.yaml'), {});
    expect(config.events.dataStreams.map((s) => s.name)).to.deep.equal(['MOBILE_LOANS', 'POS_REJECT']);
    expect(config.events.dataStreams[0]?.folder).to.equal(join(repo, 'var', 'csv', 'mobile_loans'));
    expect(config.events.dataStreams[0]?.csv).to.deep.equal({
      delimiter: ';',
      quote: '"',
      header: false,
      extraColumns: [],
    });
    expect(config.infra.kafka.brokers).to.deep.equal(['localhost:9092']);
    expect(config.topics.candidates).to.equal('tml-candidates');
  });

  it('loads the thesis figures 22 and 25 unchanged', () => {
    const config = loadPipelineConfig(join(repo, 'config', 'examples', 'thesis-figures.yaml'), {});
    expect(config.events.dataStreams[1]).to.include({
      folder: '/u/var/tml-events-generator/csv//pos_reject',
      topic: 'tml-incoming-events',
    });
    const [campaign] = config.eventsAnalyser.campaigns;
    expect(campaign?.campaignId).to.equal(1);
    expect(campaign?.dataStreams).to.deep.equal(['MOBILE_LOANS']);
    expect(campaign?.requestStatuses).to.deep.equal(['registered', 'scored']);
    expect(campaign?.filtersOrder).to.deep.equal([
      'RESIDENCE',
      'AGE',
      'PHONE_BLACK_LIST',
      'ML_DEVICE',
      'ML_PHONE',
      'ML_FACE',
      'ML_DOCUMENT',
    ]);
    expect(campaign?.mlSkipError).to.equal(false);
    expect(campaign?.settings).to.deep.equal({
      'citizenship-unavailable-countries': ['BLR', 'UKR'],
      'min-age': 18,
      'phone-templates': ['7\\d{5}4\\d{4}', '7\\d{5}3\\d{4}'],
    });
  });

  describe('${...} placeholders', () => {
    it('refers to another key, as figure 22 does', () => {
      const text = `csv-events-base-folder: /in\n${minimal().replace('/data/mobile_loans', '${csv-events-base-folder}/m')}`;
      expect(parsePipelineConfig(text, { env: {} }).events.dataStreams[0]?.folder).to.equal('/in/m');
    });

    it('lets the environment override a referenced key through its relaxed name', () => {
      const text = `csv-events-base-folder: /in\n${minimal().replace('/data/mobile_loans', '${csv-events-base-folder}/m')}`;
      expect(
        parsePipelineConfig(text, { env: { CSV_EVENTS_BASE_FOLDER: '/override' } }).events.dataStreams[0]
          ?.folder,
      ).to.equal('/override/m');
    });

    it('reads environment variables with a default', () => {
      const text = minimal().replace('"localhost:9092"', '"${KAFKA_BROKERS:a:1,b:2}"');
      expect(parsePipelineConfig(text, { env: {} }).infra.kafka.brokers).to.deep.equal(['a:1', 'b:2']);
      expect(parsePipelineConfig(text, { env: { KAFKA_BROKERS: 'k:9' } }).infra.kafka.brokers).to.deep.equal([
        'k:9',
      ]);
    });

    it('reports a placeholder that resolves to nothing, with its key path', () => {
      expect(problems(minimal().replace('"redis://localhost"', '"${NOPE}"'))).to.deep.equal([
        'infra.redis.url: ${NOPE} is neither a key of this file nor a set environment variable',
      ]);
    });

    it('reports a cycle', () => {
      const text = `a: \${b}\nb: \${a}\n${minimal().replace('/data/mobile_loans', '${a}')}`;
      expect(problems(text).join('\n')).to.contain('refers to itself');
    });
  });

  it('names the key path of every problem', () => {
    const text = minimal()
      .replace('campaign-id: 1', 'campaign-id: one')
      .replace('request-statuses: registered', 'request-statuses: registered, approved');
    expect(problems(text)).to.have.members([
      'events-analyser.campaigns[0].campaign-id: Invalid input: expected number, received string',
      'events-analyser.campaigns[0].request-statuses[1]: Invalid option: expected one of "created"|"registered"|"scored"|"canceled"',
    ]);
  });

  it('refuses unknown keys where the schema is closed, and duplicate stream names and campaign ids', () => {
    const text = minimal('topics: { candidate: x }').replace(
      '      request-statuses: registered\n',
      '      request-statuses: registered\n    - campaign-id: 1\n      data-streams: POS_REJECT\n      request-statuses: created\n',
    );
    expect(problems(text).join('\n')).to.contain('topics: Unrecognized key: "candidate"');
    expect(problems(text).join('\n')).to.contain(
      'events-analyser.campaigns[1].campaign-id: duplicate campaign id 1',
    );
  });

  describe('csv dialect of a data stream', () => {
    const withCsv = (csv: string) =>
      minimal().replace('folder: /data/mobile_loans', `folder: /data/mobile_loans\n      csv: ${csv}`);

    it('reads extra columns as a sorted list of 1-based positions', () => {
      const config = parsePipelineConfig(
        withCsv('{ delimiter: ",", header: true, extra-columns: [12, 11] }'),
        {
          env: {},
        },
      );
      expect(config.events.dataStreams[0]?.csv).to.deep.equal({
        delimiter: ',',
        quote: '"',
        header: true,
        extraColumns: [11, 12],
      });
    });

    it('refuses a repeated or out-of-range extra column, and a quote equal to the delimiter', () => {
      expect(problems(withCsv('{ extra-columns: [11, 11, 40] }'))).to.deep.equal([
        'events.data-streams[0].csv.extra-columns[1]: column 11 is listed twice',
        'events.data-streams[0].csv.extra-columns[2]: column 40 is past the last column (34 with the extra ones)',
      ]);
      expect(problems(withCsv('{ delimiter: "\'", quote: "\'" }'))).to.deep.equal([
        'events.data-streams[0].csv.quote: the quote must differ from the delimiter',
      ]);
    });
  });

  it('reports YAML syntax errors with line and column', () => {
    const found = problems('events:\n  data-streams: [\n');
    expect(found[0]).to.match(/^line \d+:\d+: /);
  });
});
