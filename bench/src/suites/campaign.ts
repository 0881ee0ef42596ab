/**
 * The campaign engine through its runner code (createCampaignEngine, as `tm run campaign` builds it) on Kafka and
 * PostgreSQL: candidates/s from tml-candidates to task rows (`campaign.ingest`), then dial tasks/s from due rows
 * to tm-dial-tasks (`campaign.dispatch`). The config is config/pipeline.yaml's, with topics and group of the run.
 */
import { type Candidate, defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { newRunId, providePostgres } from '@tm/infra';
import { kafkaTransport, StageMetrics } from '@tm/pipeline-core';
import { connectCampaignDb, contractSerdes, createCampaignEngine } from '@tm/runners';
import { pino } from 'pino';
import { benchKafka, benchName } from '../kafka.js';
import { atLeast, type BenchResult, secondsSince } from '../results.js';
import { sampleApplication } from './core.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const CANDIDATES = 100_000;
/** One client in ten gets a second candidate later on, so ingest also cancels and replaces. */
const CLIENTS = CANDIDATES * 0.9;

/** A candidate as the analyser publishes it: the whole application, Casper's profile, Abram's products. */
function sampleCandidate(i: number): Candidate {
  const client = i < CLIENTS ? i : (i - CLIENTS) * 9;
  const phone = `7952${String(client).padStart(7, '0')}`;
  const application = { ...sampleApplication(i), phone };
  return {
    candidateId: `${application.applicationNumber}:1`,
    campaignId: 1,
    phone,
    application,
    casperProfile: {
      clientId: `c-${client}`,
      timeZone: i % 3 === 0 ? 'Asia/Novosibirsk' : 'Europe/Moscow',
      region: 'KG-B',
      segment: 'mass',
      activeLoans: 0,
      lastActivityAt: 1_696_000_000_000,
      attributes: { source: 'casper' },
    },
    products: [
      {
        productType: 'express',
        minAmount: 1000,
        maxAmount: 30000,
        interestRate: 80,
        term: 30,
        termUnit: 'day',
      },
    ],
    filtersPassed: ['RESIDENCE', 'AGE', 'PHONE_BLACK_LIST', 'ML_DEVICE', 'ML_PHONE'],
    decidedAt: 1_696_670_000_000 + i,
  };
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function campaignSuite(): Promise<Result[]> {
  const kafka = await benchKafka();
  const postgres = await providePostgres(newRunId());
  const base = loadPipelineConfig(defaultConfigPath(), {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
  });
  const config: PipelineConfig = {
    ...base,
    topics: {
      ...base.topics,
      candidates: benchName('bench-candidates'),
      callEvents: benchName('bench-call-events'),
      communicationResults: benchName('bench-results'),
      dialTasks: benchName('bench-dial-tasks'),
    },
    campaignEngine: { ...base.campaignEngine, consumerGroup: benchName('bench-campaign-engine') },
  };
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench' });
  const db = connectCampaignDb(postgres.url);
  // 12:00 in Moscow today: inside the configured calling hours of Moscow and Novosibirsk clients.
  const noon = new Date();
  noon.setUTCHours(9, 0, 0, 0);
  const metrics = new StageMetrics();
  const engine = createCampaignEngine({
    config,
    transport,
    db,
    metrics,
    logger: pino({ level: 'warn' }),
    clock: () => noon,
    schedules: false,
  });
  try {
    await transport.ensureTopics([{ topic: config.topics.candidates, partitions: config.topics.partitions }]);
    const serde = contractSerdes().candidate;
    const producer = transport.createProducer();
    await producer.connect();
    for (let i = 0; i < CANDIDATES; i += 2000) {
      await producer.send(
        Array.from({ length: Math.min(2000, CANDIDATES - i) }, (_, j) => {
          const c = sampleCandidate(i + j);
          return { topic: config.topics.candidates, key: c.phone, value: serde.encode(c) };
        }),
      );
    }
    await producer.disconnect();

    const ingested = async () => {
      const metric = metrics.registry.getSingleMetric('campaign_candidates_total');
      const values = (await metric?.get())?.values ?? [];
      return values.reduce((sum, v) => sum + v.value, 0);
    };
    await engine.start();
    await until(async () => (await ingested()) > 0, 60_000, 'the first stored batch');
    const ingestStarted = process.hrtime.bigint();
    const first = await ingested();
    await until(async () => (await ingested()) >= CANDIDATES, 600_000, `${CANDIDATES} candidates stored`);
    const ingestRate = (CANDIDATES - first) / secondsSince(ingestStarted);
    const { rows } = await db.raw<{ rows: { n: number }[] }>(
      'SELECT count(*)::int AS n FROM TM$CAMPAIGN_TASKS',
    );
    if (rows[0]?.n !== CANDIDATES) throw new Error(`bench: ${rows[0]?.n} tasks for ${CANDIDATES} candidates`);

    const dispatchStarted = process.hrtime.bigint();
    const claimed = await engine.dispatchNow();
    const dispatchRate = claimed / secondsSince(dispatchStarted);
    if (claimed !== CLIENTS) throw new Error(`bench: dispatched ${claimed} of ${CLIENTS} due tasks`);
    const admin = transport.kafka.admin();
    await admin.connect();
    const onTopic = (await admin.fetchTopicOffsets(config.topics.dialTasks)).reduce(
      (s, p) => s + Number(p.high),
      0,
    );
    await admin.disconnect();
    if (onTopic !== CLIENTS)
      throw new Error(`bench: ${onTopic} dial tasks on the topic, expected ${CLIENTS}`);

    const setup = `${config.topics.partitions} partitions, ingest batches of ${config.campaignEngine.ingest.batchSize} in ${config.campaignEngine.ingest.concurrency} lanes, PostgreSQL ${await serverVersion()}, Kafka ${kafka.version}`;
    return [
      atLeast(
        'campaign.ingest',
        ingestRate,
        'candidates/s',
        10_000,
        `${CANDIDATES.toLocaleString('en-US')} Avro candidates (one client in ten twice: cancel and replace) from tml-candidates to task rows, through the engine's ingest stage; ${setup}`,
      ),
      atLeast(
        'campaign.dispatch',
        dispatchRate,
        'dial tasks/s',
        10_000,
        `${CLIENTS.toLocaleString('en-US')} due NEW tasks claimed (IN_PROGRESS + outbox row) and published to tm-dial-tasks as Avro DialTasks (acks=all, marked published), one dispatch round in batches of ${config.campaignEngine.dispatch.batchSize}`,
      ),
    ];
  } finally {
    await engine.stop();
    await transport.close();
    await db.destroy();
    await postgres.release();
    await kafka.stop();
  }

  async function serverVersion(): Promise<string> {
    const { rows } = await db.raw<{ rows: { server_version: string }[] }>('SHOW server_version');
    return rows[0]?.server_version.split(' ')[0] ?? '?';
  }
}
