import { readFileSync } from 'node:fs';
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
    expect(config.infra.kafka.sessionTimeoutMs).to.equal(30_000);
    expect(config.topics.candidates).to.equal('tml-candidates');
  });

  it('reads services and simulators, with URL overrides from the environment and the blacklist file resolved', () => {
    const config = loadPipelineConfig(join(repo, 'config', 'pipeline.yaml'), {
      CASPER_URL: 'http://casper:80',
    });
    expect(config.services.casper.url).to.equal('http://casper:80');
    expect(config.services.blacklist).to.deep.include({ url: 'http://127.0.0.1:7101', timeoutMs: 2000 });
    expect(config.services.blacklist.batch).to.deep.equal({ windowMs: 2, maxSize: 100 });
    expect(config.services.abram.retry).to.deep.equal({
      maxRetries: 3,
      initialDelayMs: 50,
      maxDelayMs: 2000,
    });
    expect(config.simulators.blacklist.file).to.equal(join(repo, 'config', 'examples', 'blacklist.yaml'));
    expect(config.simulators.abram).to.deep.include({ port: 7103, mlFailRate: 0.05 });
    expect(config.simulators.telephony).to.deep.include({
      port: 7104,
      tokenLifetimeMs: 86_400_000,
      sessionIdleMs: 900_000,
      timeScale: 60,
      ringMs: 200,
      outcomes: { ANSWERED: 0.6, NO_ANSWER: 0.25, BUSY: 0.1, FAILED: 0.05 },
      talkSeconds: { median: 90, spread: 0.5, min: 5, max: 900 },
    });
    // Without the sections (figure 25's file) every key has its default.
    const thesis = loadPipelineConfig(join(repo, 'config', 'examples', 'thesis-figures.yaml'), {});
    expect(thesis.services.abram.breaker).to.deep.equal({ consecutiveFailures: 10, halfOpenAfterMs: 5000 });
    expect(thesis.simulators.blacklist.file).to.equal(undefined);
    expect(thesis.simulators.telephony).to.deep.include({ port: 7104, timeScale: 1, sessionIdleMs: 900_000 });
  });

  it('names the key path of a bad service or simulator setting', () => {
    expect(
      problems(
        minimal(
          'services: { abram: { retry: { max-retries: -1 } } }\nsimulators: { casper: { error-rate: 2 } }',
        ),
      ),
    ).to.have.members([
      'services.abram.retry.max-retries: Too small: expected number to be >=0',
      'simulators.casper.error-rate: Too big: expected number to be <=1',
    ]);
    expect(
      problems(
        minimal(
          'simulators: { telephony: { time-scale: 0, outcomes: { answered: 0, no-answer: 0, busy: 0, failed: 0 }, talk-seconds: { median: 1000 } } }',
        ),
      ),
    ).to.have.members([
      'simulators.telephony.time-scale: Too small: expected number to be >0',
      'simulators.telephony.outcomes: give at least one positive weight',
      'simulators.telephony.talk-seconds: min <= median <= max',
    ]);
  });

  it('fills the infra parts a config leaves out from the environment, then the local defaults', () => {
    const file = join(repo, 'config', 'examples', 'thesis-figures.yaml');
    const local = loadPipelineConfig(file, {}).infra;
    expect(local.kafka.brokers).to.deep.equal(['localhost:9092']);
    expect(local.databaseUrl).to.equal('postgres://tm:tm@localhost:5432/telemarketing');
    expect(local.redisUrl).to.equal('redis://localhost:6379');
    expect(local.schemaRegistryUrl).to.equal(undefined);
    const fromEnv = loadPipelineConfig(file, {
      KAFKA_BROKERS: 'k1:9092,k2:9092',
      DATABASE_URL: 'postgres://db/x',
      REDIS_URL: 'redis://r:1',
      SCHEMA_REGISTRY_URL: 'http://sr:8081',
    }).infra;
    expect(fromEnv.kafka.brokers).to.deep.equal(['k1:9092', 'k2:9092']);
    expect(fromEnv.databaseUrl).to.equal('postgres://db/x');
    expect(fromEnv.redisUrl).to.equal('redis://r:1');
    expect(fromEnv.schemaRegistryUrl).to.equal('http://sr:8081');
    // The default config names the registry only through SCHEMA_REGISTRY_URL: unset or empty, there is none.
    const defaults = join(repo, 'config', 'pipeline.yaml');
    expect(loadPipelineConfig(defaults, {}).infra.schemaRegistryUrl).to.equal(undefined);
    expect(loadPipelineConfig(defaults, { SCHEMA_REGISTRY_URL: '' }).infra.schemaRegistryUrl).to.equal(
      undefined,
    );
    expect(
      loadPipelineConfig(defaults, { SCHEMA_REGISTRY_URL: 'http://sr:8081' }).infra.schemaRegistryUrl,
    ).to.equal('http://sr:8081');
    // A part the config gives is kept, and still validated.
    const withoutInfra = minimal('').slice(0, minimal('').indexOf('infra:'));
    expect(problems(`${withoutInfra}infra: { kafka: { session-timeout-ms: 5 } }\n`)).to.deep.equal([
      'infra.kafka.session-timeout-ms: Too small: expected number to be >=1000',
    ]);
  });

  it('refuses a broker address without a port number from 1 to 65535, with its key path', () => {
    const withoutInfra = minimal('').slice(0, minimal('').indexOf('infra:'));
    expect(
      problems(`${withoutInfra}infra: { kafka: { brokers: 'k1:9092,k2:abc,k3:99999,k4' } }\n`),
    ).to.deep.equal([
      'infra.kafka.brokers[1]: expected host:port with a port from 1 to 65535',
      'infra.kafka.brokers[2]: expected host:port with a port from 1 to 65535',
      'infra.kafka.brokers[3]: expected host:port with a port from 1 to 65535',
    ]);
    expect(
      loadPipelineConfig(join(repo, 'config', 'pipeline.yaml'), { KAFKA_BROKERS: '[::1]:9092' }).infra.kafka
        .brokers,
    ).to.deep.equal(['[::1]:9092']);
  });

  it('picks the Kafka client from infra.kafka.client (kafkajs by default, TM_KAFKA_CLIENT in the default config)', () => {
    const defaults = join(repo, 'config', 'pipeline.yaml');
    expect(loadPipelineConfig(defaults, {}).infra.kafka.client).to.equal('kafkajs');
    expect(loadPipelineConfig(defaults, { TM_KAFKA_CLIENT: 'librdkafka' }).infra.kafka.client).to.equal(
      'librdkafka',
    );
    const withoutInfra = minimal('').slice(0, minimal('').indexOf('infra:'));
    expect(problems(`${withoutInfra}infra: { kafka: { client: rdkafka } }\n`)).to.deep.equal([
      'infra.kafka.client: Invalid option: expected one of "kafkajs"|"librdkafka"',
    ]);
  });

  it('takes a data stream encoding the runtime knows, canonically named, and refuses others with the key path', () => {
    const withEncoding = (label: string) =>
      minimal().replace(
        '      folder: /data/mobile_loans',
        `      folder: /data/mobile_loans\n      csv: { encoding: ${label} }`,
      );
    const config = parsePipelineConfig(withEncoding('cp1251'), { env: {} });
    expect(config.events.dataStreams[0]?.csv.encoding).to.equal('windows-1251');
    expect(
      parsePipelineConfig(withEncoding('UTF-8'), { env: {} }).events.dataStreams[0]?.csv,
    ).to.not.have.property('encoding');
    expect(problems(withEncoding('ebcdic-42'))).to.deep.equal([
      'events.data-streams[0].csv.encoding: not a text encoding the runtime knows (utf-8, windows-1251, koi8-r, ...)',
    ]);
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

  describe('events-analyser runner keys', () => {
    it('default to the runner settings when absent (figure 25 sets none)', () => {
      const { eventsAnalyser } = parsePipelineConfig(minimal(), { env: {} });
      expect(eventsAnalyser).to.deep.include({
        concurrency: 512,
        maxInFlight: 4000,
        retry: { rideOutMs: 600_000, initialDelayMs: 250, maxDelayMs: 15_000 },
      });
    });

    it('reads them, and names bad values by key path', () => {
      const set = (keys: string) => minimal().replace('events-analyser:\n', `events-analyser:\n${keys}`);
      const { eventsAnalyser } = parsePipelineConfig(
        set('  concurrency: 8\n  max-in-flight: 100\n  retry: { ride-out-ms: 30000 }\n'),
        { env: {} },
      );
      expect(eventsAnalyser.concurrency).to.equal(8);
      expect(eventsAnalyser.retry).to.deep.equal({
        rideOutMs: 30_000,
        initialDelayMs: 250,
        maxDelayMs: 15_000,
      });
      expect(
        problems(
          set('  concurrency: 0\n  retry: { initial-delay-ms: 500, max-delay-ms: 100, ride-out: 1 }\n'),
        ),
      ).to.have.members([
        'events-analyser.concurrency: Too small: expected number to be >=1',
        'events-analyser.retry: Unrecognized key: "ride-out"',
        'events-analyser.retry.max-delay-ms: max-delay-ms is below initial-delay-ms',
      ]);
      expect(problems(set('  concurrency: 100\n  max-in-flight: 10\n'))).to.deep.equal([
        'events-analyser.max-in-flight: max-in-flight (10) is below concurrency (100): the extra concurrency could never be used',
      ]);
    });
  });

  describe('dialer', () => {
    it('reads config/pipeline.yaml; secrets are not keys of the section', () => {
      const { dialer } = loadPipelineConfig(join(repo, 'config', 'pipeline.yaml'), {});
      expect(dialer).to.deep.include({
        consumerGroup: 'tm-dialer',
        pollIntervalMs: 1000,
        telephonyTimeoutMs: 5000,
      });
      expect(dialer.send).to.include({ breakerFailures: 5, callbackMaxAgeMs: 30_000, initialDelayMs: 500 });
      expect(dialer.operators).to.deep.equal({ refreshBeforeExpiryMs: 60_000, loginRetryMs: 5000 });
    });
    it('refuses unknown keys such as a telephony URL in the YAML', () => {
      const text = readFileSync(join(repo, 'config', 'pipeline.yaml'), 'utf8').replace(
        'dialer:\n',
        'dialer:\n  telephony-url: http://x\n',
      );
      expect(() => parsePipelineConfig(text, { env: {}, baseDir: join(repo, 'config') })).to.throw(
        /telephony-url/,
      );
    });
  });

  describe('campaign-engine', () => {
    it('reads config/pipeline.yaml: defaults merged with each campaign’s own keys (campaign 2 has none)', () => {
      const { campaignEngine } = loadPipelineConfig(join(repo, 'config', 'pipeline.yaml'), {});
      expect(campaignEngine.dispatch).to.deep.equal({
        intervalMs: 1000,
        batchSize: 1000,
        callStartTimeoutMs: 600_000,
        timeoutCheckIntervalMs: 10_000,
      });
      expect(campaignEngine.defaultTimeZone).to.equal('Europe/Moscow');
      expect(campaignEngine.campaigns).to.deep.equal([
        {
          campaignId: 1,
          domain: 'LOANS',
          callingHours: { from: '10:00', to: '20:00' },
          recallBlockMinutes: 120,
          attemptLimit: 3,
          callAgainResults: ['NO_ANSWER', 'BUSY', 'CALL_BACK_LATER', 'NOT_INTERESTED'],
        },
        {
          campaignId: 2,
          domain: 'LOANS',
          callingHours: { from: '09:00', to: '21:00' },
          recallBlockMinutes: 120,
          attemptLimit: 3,
          callAgainResults: ['NO_ANSWER', 'BUSY', 'CALL_BACK_LATER', 'NOT_INTERESTED'],
        },
      ]);
    });

    it('gives every analyser campaign the built-in defaults when the section is absent', () => {
      const { campaignEngine } = parsePipelineConfig(minimal(), { env: {} });
      expect(campaignEngine.ingest).to.deep.equal({
        batchSize: 1000,
        lingerMs: 50,
        concurrency: 2,
        analyzeAfterRows: 10_000,
      });
      expect(campaignEngine.consumerGroup).to.equal('tm-campaign-engine');
      expect(campaignEngine.housekeeping).to.deep.equal({
        intervalMs: 3_600_000,
        keepPublishedDialTasksMs: 24 * 3_600_000,
        keepConsumedEventIdsMs: 168 * 3_600_000,
      });
      expect(campaignEngine.campaigns).to.deep.equal([
        {
          campaignId: 1,
          domain: 'LOANS',
          callingHours: { from: '09:00', to: '21:00' },
          recallBlockMinutes: 120,
          attemptLimit: 3,
          callAgainResults: [],
        },
      ]);
    });

    it('names bad times, zones, limits and campaigns the analyser does not know', () => {
      const text = minimal(`campaign-engine:
  default-time-zone: Mars/Olympus
  defaults:
    calling-hours: { from: "9:00", to: "21:00" }
  campaigns:
    - campaign-id: 7
      attempt-limit: 0
`);
      expect(problems(text)).to.have.members([
        'campaign-engine.default-time-zone: not an IANA time zone name (like Europe/Moscow)',
        'campaign-engine.defaults.calling-hours.from: a time of day as HH:MM, from 00:00 to 23:59',
        'campaign-engine.campaigns[0].attempt-limit: Too small: expected number to be >=1',
        'campaign-engine.campaigns[0].campaign-id: campaign 7 is not in events-analyser.campaigns',
      ]);
      const endOfDay = minimal(
        'campaign-engine:\n  defaults:\n    calling-hours: { from: "00:00", to: "24:00" }\n',
      );
      expect(problems(endOfDay), '24:00 ends the whole-day window').to.deep.equal([]);
      const badEnd = minimal(
        'campaign-engine:\n  defaults:\n    calling-hours: { from: "24:00", to: "24:30" }\n',
      );
      expect(problems(badEnd)).to.have.members([
        'campaign-engine.defaults.calling-hours.from: a time of day as HH:MM, from 00:00 to 23:59',
        'campaign-engine.defaults.calling-hours.to: a time of day as HH:MM, from 00:00 to 24:00 (the end of the day)',
      ]);
      const unknown = minimal('campaign-engine:\n  campaigns:\n    - campaign-id: 7\n');
      expect(problems(unknown)).to.deep.equal([
        'campaign-engine.campaigns[0].campaign-id: campaign 7 is not in events-analyser.campaigns',
      ]);
    });
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

  it('fills in the intake keys (stability, polling, ledger topic, transaction sizes and timeout) and names bad ones', () => {
    const config = parsePipelineConfig(minimal(), { env: {} });
    expect(config.events).to.include({
      successFolderName: 'success',
      errorFolderName: 'error',
      stableAfterMs: 2000,
      pollIntervalMs: 1000,
      ledgerTopic: 'tml-intake-ledger',
      rowsPerTransaction: 10_000,
      singleTransactionMaxBytes: 1024 * 1024 * 1024,
      transactionTimeoutMs: 900_000,
    });
    const bad = minimal().replace(
      'events:\n',
      'events:\n  rows-per-transaction: 0\n  ledger-topic: ""\n  single-transaction-max-bytes: -1\n  transaction-timeout-ms: 0\n',
    );
    expect(problems(bad)).to.deep.equal([
      'events.ledger-topic: Too small: expected string to have >=1 characters',
      'events.rows-per-transaction: Too small: expected number to be >0',
      'events.single-transaction-max-bytes: Too small: expected number to be >=0',
      'events.transaction-timeout-ms: Too small: expected number to be >0',
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const found = problems('events:\n  data-streams: [\n');
    expect(found[0]).to.match(/^line \d+:\d+: /);
  });
});
