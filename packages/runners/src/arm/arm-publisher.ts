import { randomUUID } from 'node:crypto';
import type { CallbackRequest, CommunicationResult, OperatorSession, TopicsConfig } from '@tm/contracts';
import type { OutboundRecord, TransportProducer } from '@tm/pipeline-core';
import { DependencyUnavailableError } from '../http/unavailable.js';
import type { ContractSerdes } from '../runtime/serdes.js';

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

  async #send(record: OutboundRecord): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      this.#connected ??= this.producer.connect();
      await Promise.race([
        this.#connected.then(() => this.producer.send([record])),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no acknowledgement in ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      this.#connected = undefined;
      throw new DependencyUnavailableError('broker', error);
    } finally {
      clearTimeout(timer);
    }
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
