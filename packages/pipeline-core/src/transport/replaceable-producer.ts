/** The part of a Kafka client's producer that {@link ReplaceableProducer} needs. */
export interface ProducerClient {
  disconnect(): Promise<unknown>;
}

/**
 * A client producer that a failed send, commit or abort may leave unusable (a kafkajs state machine stuck in
 * COMMITTING, an idempotent producer's sequence numbers behind the broker's, a fatal librdkafka error): work that
 * fails through {@link markingBroken} marks it broken, and {@link replaceIfBroken} then puts a fresh client with the
 * same options (the same transactional id) in its place before the next send or transaction. The new client's
 * InitProducerId bumps the epoch, so the coordinator first finishes or aborts what the old one left open.
 */
export class ReplaceableProducer<P extends ProducerClient> {
  readonly #create: () => P;
  readonly #connect: (client: P) => Promise<void>;
  #client: P;
  #broken = false;

  /** `create` builds a client, unconnected; `connect` connects one (the transport's error mapping included). */
  constructor(create: () => P, connect: (client: P) => Promise<void>) {
    this.#create = create;
    this.#connect = connect;
    this.#client = create();
  }

  /** The client in use. */
  get client(): P {
    return this.#client;
  }

  /**
   * Replaces a broken client with a new, connected one; throws (and stays broken) while the broker is away. A
   * no-op while the client is sound. Resolves with the client in use.
   */
  async replaceIfBroken(): Promise<P> {
    if (this.#broken) {
      const old = this.#client;
      this.#client = this.#create();
      await old.disconnect().catch(() => {});
      await this.#connect(this.#client);
      this.#broken = false;
    }
    return this.#client;
  }

  /** Runs `work`; when it fails, the client is marked broken (to be replaced) and the failure rethrown. */
  async markingBroken<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      this.#broken = true;
      throw err;
    }
  }
}
