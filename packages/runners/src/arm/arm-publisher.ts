import { randomUUID } from 'node:crypto';
import type { CallbackRequest, CommunicationResult, OperatorSession, TopicsConfig } from '@tm/contracts';
import { DependencyUnavailableError, type OutboundRecord, type TransportProducer } from '@tm/pipeline-core';
import type { ContractSerdes } from '../runtime/serdes.js';

/** Most records in one send. */
const MAX_BATCH = 1000;

/** Session actions of tm.OperatorSession. */
export type SessionAction = OperatorSession['action'];

/**
 * What the ARM publishes, each keyed by operator id (so one operator's records stay in order on one partition):
 * session changes to tm-operator-sessions, drafts and results to tm-communication-results, click-to-call requests
 * to tm-callback-requests. A send resolves once the broker acknowledged it (acks=all); one that cannot within
 * `timeoutMs` rejects with a {@link DependencyUnavailableError} (the HTTP caller answers 503). The producer connects
 * on first use and again after a failure, so a broker that is down when the ARM starts does not stop it.
 */
export class ArmPublisher {
  #connected: Promise<void> | undefined;
  #pending: { record: OutboundRecord; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #busy = false;

  constructor(
    private readonly producer: TransportProducer,
    private readonly topics: Pick<
      TopicsConfig,
      'operatorSessions' | 'communicationResults' | 'callbackRequests'
    >,
    private readonly serdes: Pick<
      ContractSerdes,
      'operatorSession' | 'communicationResult' | 'callbackRequest'
    >,
    private readonly timeoutMs = 10_000,
  ) {}

  /**
   * Queues a record; resolves once the broker acknowledged it. Records handed over while a send is in flight go out
   * together in the next one (natural batching: a thousand operators' sessions opening at once are a few sends, not
   * a thousand in a row), in the order they were handed over; a failed send rejects only its own records.
   */
  #send(record: OutboundRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      if (!this.#busy) {
        this.#busy = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0, MAX_BATCH);
      let timer: NodeJS.Timeout | undefined;
      try {
        this.#connected ??= this.producer.connect();
        await Promise.race([
          this.#connected.then(() => this.producer.send(batch.map((p) => p.record))),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no acknowledgement in ${this.timeoutMs} ms`)),
              this.timeoutMs,
            );
          }),
        ]);
        for (const p of batch) p.resolve();
      } catch (error) {
        this.#connected = undefined;
        const failure = new DependencyUnavailableError('broker', error);
        for (const p of batch) p.reject(failure);
      } finally {
        clearTimeout(timer);
      }
    }
    this.#busy = false;
  }

  /** Publishes an OperatorSession event; resolves with it. */
  async session(
    operatorId: number,
    action: SessionAction,
    reason: string | null = null,
  ): Promise<OperatorSession> {
    const event: OperatorSession = {
      eventId: randomUUID(),
      operatorId,
      action,
      reason,
      occurredAt: Date.now(),
    };
    await this.#send({
      topic: this.topics.operatorSessions,
      key: String(operatorId),
      value: this.serdes.operatorSession.encode(event),
    });
    return event;
  }

  /** Publishes a draft or result (a fresh event id per save). */
  async result(result: Omit<CommunicationResult, 'eventId'>): Promise<CommunicationResult> {
    const event: CommunicationResult = { eventId: randomUUID(), ...result };
    await this.#send({
      topic: this.topics.communicationResults,
      key: String(result.operatorId),
      value: this.serdes.communicationResult.encode(event),
    });
    return event;
  }

  /** Publishes a click-to-call request. */
  async callback(request: Omit<CallbackRequest, 'requestId'>): Promise<CallbackRequest> {
    const event: CallbackRequest = { requestId: randomUUID(), ...request };
    await this.#send({
      topic: this.topics.callbackRequests,
      key: String(request.operatorId),
      value: this.serdes.callbackRequest.encode(event),
    });
    return event;
  }

  async close(): Promise<void> {
    if (this.#connected) await this.producer.disconnect().catch(() => {});
  }
}
