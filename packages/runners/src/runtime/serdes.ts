import {
  type Application,
  type CallbackRequest,
  type CallEvent,
  type Candidate,
  type CommunicationResult,
  type DialTask,
  type OperatorSession,
  type PipelineConfig,
  type Rejection,
  SchemaNames,
  schemasDir,
} from '@tm/contracts';
import {
  AvroSchemaStore,
  type AvroSerde,
  avroSerde,
  onceUntilFailed,
  SchemaRegistryClient,
} from '@tm/pipeline-core';
import { createLogger, type Logger } from './logger.js';

/**
 * One serde per topic value, each Avro against schemas/: Confluent's wire format through the Schema Registry when
 * the config names one, single-object encoding otherwise. Every one reads both framings (ADR 0122).
 */
export interface ContractSerdes {
  application: AvroSerde<Application>;
  candidate: AvroSerde<Candidate>;
  rejection: AvroSerde<Rejection>;
  dialTask: AvroSerde<DialTask>;
  callEvent: AvroSerde<CallEvent>;
  communicationResult: AvroSerde<CommunicationResult>;
  operatorSession: AvroSerde<OperatorSession>;
  callbackRequest: AvroSerde<CallbackRequest>;
}

type ValueType = keyof typeof SchemaNames;

/** What choosing the serdes needs of a pipeline config: where the registry is, and the topics each type goes to. */
export type SerdeConfig = Pick<PipelineConfig, 'infra' | 'topics' | 'events'>;

/**
 * The topics that carry each value type, so the subjects its schema is registered under (`<topic>-value`,
 * Confluent's TopicNameStrategy): applications go to each data stream's topic; every other type has one topic.
 * Dead-letter topics are not among them: a dead-lettered record keeps the bytes it came with.
 */
export function topicsByValueType(
  config: Pick<PipelineConfig, 'topics' | 'events'>,
): Record<ValueType, string[]> {
  const { topics } = config;
  return {
    application: [...new Set(config.events.dataStreams.map((s) => s.topic))],
    candidate: [topics.candidates],
    rejection: [topics.rejections],
    dialTask: [topics.dialTasks],
    callEvent: [topics.callEvents],
    communicationResult: [topics.communicationResults],
    operatorSession: [topics.operatorSessions],
    callbackRequest: [topics.callbackRequests],
  };
}

/** The Schema Registry the runners use: `infra.schema-registry.url`, on Kafka only (the embedded profile has none). */
export function schemaRegistryUrlOf(config: Pick<PipelineConfig, 'infra'>): string | undefined {
  return config.infra.transport === 'kafka' ? config.infra.schemaRegistryUrl : undefined;
}

let store: AvroSchemaStore | undefined;
const cache = new Map<string, ContractSerdes>();

/**
 * The serdes of the pipeline's topics: the one place the serde family is chosen (ADR 0122). Given a config whose
 * `infra.schema-registry.url` is set (and the Kafka transport), every serde writes Confluent's wire format with
 * schema ids from that registry; otherwise — no config, no URL, or the memory transport — single-object
 * encoding. Either way each reads both framings, so records written before the registry was configured stay
 * readable.
 *
 * With a registry, `ready()` of any of them registers every contract schema under its topics' subjects, once
 * per process, waiting while the registry is down; a stage awaits its input serde's `ready()` before it consumes
 * (and reports itself unready until then), so its output serdes are ready too. Work that encodes outside a stage
 * awaits `ready()` itself first. The schemas directory is read once per process.
 *
 * @param logger Where waits for the registry are logged (default: a `schema-registry` runner logger); the set is
 *   cached per registry and topics, so the first call's logger is the one kept.
 */
export function contractSerdes(config?: SerdeConfig, logger?: Logger): ContractSerdes {
  const url = config ? schemaRegistryUrlOf(config) : undefined;
  const topics = config && url ? topicsByValueType(config) : undefined;
  const key = url ? `${url}\u0000${JSON.stringify(topics)}` : '';
  let serdes = cache.get(key);
  if (serdes) return serdes;
  store ??= AvroSchemaStore.fromDirectory(schemasDir);
  const schemaStore = store;
  const registry = url ? new SchemaRegistryClient({ url }) : undefined;
  const log = registry ? (logger ?? createLogger('schema-registry')) : undefined;
  const each = <T>(type: ValueType): AvroSerde<T> =>
    avroSerde<T>({
      store: schemaStore,
      schema: SchemaNames[type],
      ...(registry && topics
        ? { registry: { registry, subjects: topics[type].map((t) => `${t}-value`), logger: log as Logger } }
        : {}),
    });
  const all = {
    application: each<Application>('application'),
    candidate: each<Candidate>('candidate'),
    rejection: each<Rejection>('rejection'),
    dialTask: each<DialTask>('dialTask'),
    callEvent: each<CallEvent>('callEvent'),
    communicationResult: each<CommunicationResult>('communicationResult'),
    operatorSession: each<OperatorSession>('operatorSession'),
    callbackRequest: each<CallbackRequest>('callbackRequest'),
  };
  serdes = registry ? readyTogether(all) : all;
  cache.set(key, serdes);
  return serdes;
}

/** The same serdes, each of whose `ready()` gets them all ready (once; again after a failure). */
function readyTogether(serdes: ContractSerdes): ContractSerdes {
  const ready = onceUntilFailed(async (): Promise<void> => {
    await Promise.all(Object.values(serdes).map((s: AvroSerde<unknown>) => s.ready?.()));
  });
  const together = {} as Record<ValueType, AvroSerde<unknown>>;
  for (const [type, serde] of Object.entries(serdes) as [ValueType, AvroSerde<unknown>][]) {
    together[type] = { ...serde, ready };
  }
  return together as unknown as ContractSerdes;
}
