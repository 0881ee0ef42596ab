import type { CallEvent } from '@tm/contracts';
import type { Serde, TransportProducer } from '@tm/pipeline-core';

/**
 * Publishes call events to tm-call-events keyed by operator id (one operator's events in order on one partition),
 * all of a poll round in one send; resolves once the broker acknowledged them (acks=all). Connects on first use and
 * again after a failure, so a broker that is down does not stop the dialer; a failed send rejects, and the poller
 * keeps the cursors it had (the same events, with the same ids, are polled and sent again).
 */
export class CallEventPublisher {
  #connected: Promise<void> | undefined;

  constructor(
    private readonly producer: TransportProducer,
    private readonly topic: string,
    private readonly serde: Serde<CallEvent>,
  ) {}

  async publish(events: readonly CallEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      this.#connected ??= this.producer.connect();
      await this.#connected;
      await this.producer.send(
        events.map((e) => ({ topic: this.topic, key: String(e.operatorId), value: this.serde.encode(e) })),
      );
    } catch (error) {
      this.#connected = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.#connected) await this.producer.disconnect().catch(() => {});
  }
}
