import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from '../intake/generator/seeded-random.js';

/** A simulated operator's ARM login. */
export interface BotOperator {
  readonly login: string;
  readonly password: string;
}

/** What {@link OperatorBots} need. */
export interface OperatorBotsOptions {
  /** The ARM's base URL (`http://127.0.0.1:port`); every call goes over HTTP, as the operator page's do. */
  armUrl: string;
  operators: readonly BotOperator[];
  seed: number;
  /** Result codes (the ARM's dictionary keys) with their integer weights. */
  results: readonly (readonly [string, number])[];
  /** Real milliseconds an operator takes before saving a result, drawn uniformly from this range. */
  thinkMs: { min: number; max: number };
  /** Share of answered calls an operator leaves unsaved, so the server's DRAFT (the 60-second rule) comes instead. */
  silentShare: number;
  /** How often each operator asks hasChanges. */
  pollIntervalMs: number;
  /**
   * Told of every saveCommunicationResult sent: `saved` when the ARM answered OK, `unknown` when it did not answer
   * (unreachable, or a 5xx) so the result may or may not have been published. A refusal (4xx) is not told.
   */
  onSave?: (save: SaveAttempt) => void;
}

/** A result save the ARM acknowledged, or one whose fate is unknown (see {@link OperatorBotsOptions.onSave}). */
export interface SaveAttempt {
  readonly communicationId: number;
  readonly outcome: 'saved' | 'unknown';
}

/** What the simulated operators did, all together. */
export interface OperatorBotStats {
  /** Operators logged in now. */
  loggedIn: number;
  /** Cards of answered calls the operators saw (a card whose result window was running). */
  answeredCards: number;
  /** Results saved (FIXED) by code, reworked drafts included. */
  saved: Record<string, number>;
  /** Answered calls deliberately left unsaved, for the server's DRAFT. */
  leftUnsaved: number;
  /** Server drafts taken from the rework list and saved as results. */
  reworked: number;
  /** ARM answers other than OK (a save refused, a card gone), by path and HTTP status; status 0: the ARM unreachable. */
  refused: Record<string, number>;
}

/** Result codes and their weights when the ARM's dictionary has these keys (others weigh 1). */
export const DEFAULT_RESULT_WEIGHTS: Readonly<Record<string, number>> = {
  AGREED: 4,
  CALL_BACK_LATER: 3,
  NOT_INTERESTED: 2,
  CALL_DROPPED: 1,
};

/** The dictionary's result keys weighted by {@link DEFAULT_RESULT_WEIGHTS}. */
export function weightedResults(keys: readonly string[]): [string, number][] {
  return keys.map((key) => [key, DEFAULT_RESULT_WEIGHTS[key] ?? 1]);
}

/** How long a card seen while its call ran is looked after for its result window (an unanswered call gets none). */
const RUNNING_CARD_KEPT_MS = 10_000;

interface Card {
  readonly id: number;
  /** Null while the call runs; set once an answered call ended (the result window runs). */
  readonly resultDueAt: string | null;
}

/** An ARM answer other than OK; `status` 0 when the ARM did not answer at all (not listening, connection lost). */
class ArmError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
  ) {
    super(status === 0 ? `ARM ${path}: no answer` : `ARM ${path}: HTTP ${status}`);
  }
}

/**
 * One simulated operator, doing what the operator page does (ADR 0132): logs in, asks hasChanges every
 * `pollIntervalMs`; on CLIENT_CARD_READY or CALL_ENDED fetches the card (and the cards of calls it saw start, by id),
 * and once an answered call's result window runs saves a result after a seeded think time — or, for a seeded share
 * of calls, saves nothing, so the server drafts it; on COMMUNICATIONS_CHANGED reads the rework list and saves a
 * result for every draft on it.
 */
class OperatorBot {
  readonly #random: SeededRandom;
  /** Cards seen while their call ran, with when first seen. */
  readonly #running = new Map<number, number>();
  /** Answered calls decided on (saved, or left for the server's DRAFT). */
  readonly #decided = new Set<number>();
  /** Communications with a result saved or on its way (a draft of one of these is not reworked again). */
  readonly #saving = new Set<number>();
  readonly #inFlight = new Set<Promise<void>>();
  #token: string | undefined;

  constructor(
    private readonly operator: BotOperator,
    private readonly options: OperatorBotsOptions,
    private readonly stats: OperatorBotStats,
    seed: number,
  ) {
    this.#random = new SeededRandom(seed);
  }

  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  async run(running: () => boolean): Promise<void> {
    while (running()) {
      try {
        if (!this.#token) await this.#login();
        const changes = await this.#call<{ changes?: string[] }>('GET', 'hasChanges');
        const flags = new Set(changes.changes ?? []);
        if (flags.has('CLIENT_CARD_READY') || flags.has('CALL_ENDED')) await this.#cards();
        if (flags.has('COMMUNICATIONS_CHANGED')) await this.#rework();
      } catch (error) {
        if (error instanceof ArmError && error.status === 401 && this.#token) {
          this.#token = undefined; // the session expired or was closed: log in again
          this.stats.loggedIn -= 1;
        } else if (!(error instanceof ArmError)) throw error;
      }
      await sleep(this.options.pollIntervalMs);
    }
    await Promise.all(this.#inFlight);
  }

  async logout(): Promise<void> {
    if (!this.#token) return;
    await this.#call('GET', 'logout').catch(() => {});
    this.#token = undefined;
    this.stats.loggedIn -= 1;
  }

  async #login(): Promise<void> {
    const data = await this.#call<{ token: string }>('POST', 'login', {
      login: this.operator.login,
      password: this.operator.password,
    });
    this.#token = data.token;
    this.stats.loggedIn += 1;
  }

  /**
   * The current card; then every card seen while its call ran and since replaced by the next call's: the page would
   * have shown it until the operator saved, so its result window is looked up by id (Appendix Л).
   */
  async #cards(): Promise<void> {
    const current = await this.#cardOf('getClientCard');
    if (current) this.#consider(current);
    for (const [id, seenAt] of this.#running) {
      if (id === current?.id) continue;
      const card = await this.#cardOf('getClientCardByCommunicationId', { communicationId: id });
      if (card?.resultDueAt) this.#consider(card);
      // No window: an unanswered call, or its end not handled yet by the ARM (looked at again next time).
      else if (Date.now() - seenAt > RUNNING_CARD_KEPT_MS) this.#running.delete(id);
    }
  }

  async #cardOf(path: string, body?: unknown): Promise<Card | undefined> {
    try {
      const data = await this.#call<{
        clientCard: { currentCommunication: { id: number } };
        resultDueAt: string | null;
      }>(body === undefined ? 'GET' : 'POST', path, body);
      return { id: data.clientCard.currentCommunication.id, resultDueAt: data.resultDueAt };
    } catch (error) {
      if (error instanceof ArmError && error.status === 404) return undefined; // an unanswered call's card was withdrawn
      throw error;
    }
  }

  /** A card: while its call runs, remembered; once its result window runs, saved after a think time or left. */
  #consider(card: Card): void {
    if (this.#decided.has(card.id)) return;
    if (card.resultDueAt === null) {
      if (!this.#running.has(card.id)) this.#running.set(card.id, Date.now());
      return;
    }
    this.#running.delete(card.id);
    this.#decided.add(card.id);
    this.stats.answeredCards += 1;
    if (this.#random.chance(this.options.silentShare)) {
      this.stats.leftUnsaved += 1;
      return;
    }
    this.#later(card.id, false);
  }

  async #rework(): Promise<void> {
    const data = await this.#call<{ communications: { id: number }[] }>('GET', 'listCommunications');
    for (const { id } of data.communications) {
      if (!this.#saving.has(id)) this.#later(id, true);
    }
  }

  /** Saves a result for `communicationId` after a think time, without holding up the polling. */
  #later(communicationId: number, rework: boolean): void {
    this.#saving.add(communicationId);
    const { min, max } = this.options.thinkMs;
    const delay = this.#random.int(min, max);
    const result = this.#random.weighted(this.options.results);
    const save = (async () => {
      await sleep(delay);
      try {
        await this.#call('POST', 'saveCommunicationResult', {
          communicationId,
          communicationResult: {
            result,
            comment: rework ? 'Доработано из списка' : 'Демо: результат звонка',
          },
        });
        this.stats.saved[result] = (this.stats.saved[result] ?? 0) + 1;
        if (rework) this.stats.reworked += 1;
        this.options.onSave?.({ communicationId, outcome: 'saved' });
      } catch (error) {
        // Refused (counted by #call) or the ARM gone: the draft, if one comes, is reworked from the list.
        this.#saving.delete(communicationId);
        if (!(error instanceof ArmError) || error.status === 0 || error.status >= 500)
          this.options.onSave?.({ communicationId, outcome: 'unknown' });
        if (!(error instanceof ArmError))
          this.stats.refused['saveCommunicationResult error'] =
            1 + (this.stats.refused['saveCommunicationResult error'] ?? 0);
      }
    })();
    this.#inFlight.add(save);
    void save.finally(() => this.#inFlight.delete(save));
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.options.armUrl}/api/arm/v1/${path}`, {
        method,
        headers: {
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      // fetch rejects only when no HTTP answer came (refused, reset): the ARM restarting, as a page would see it.
      const key = `${path} 0`;
      this.stats.refused[key] = (this.stats.refused[key] ?? 0) + 1;
      throw new ArmError(path, 0);
    }
    const answer = (await response.json().catch(() => ({}))) as { status?: string; data?: T };
    if (!response.ok || answer.status !== 'OK') {
      const key = `${path} ${response.status}`;
      this.stats.refused[key] = (this.stats.refused[key] ?? 0) + 1;
      throw new ArmError(path, response.status);
    }
    return answer.data as T;
  }
}

/**
 * The demo's simulated operators: each logs in to the ARM over HTTP and takes its calls as a person on the operator
 * page would, with seeded think times and result codes (ADR 0132). {@link stop} lets the saves under way finish, then
 * logs every operator out.
 *
 * ## Example
 * ```ts
 * const bots = new OperatorBots({ armUrl, operators, seed: 1, results: weightedResults(keys), thinkMs: { min: 50, max: 400 }, silentShare: 0.1, pollIntervalMs: 100 });
 * bots.start();
 * // ... calls come and go
 * await bots.stop();
 * bots.stats(); // { answeredCards, saved: { AGREED: 12, ... }, leftUnsaved, reworked, ... }
 * ```
 */
export class OperatorBots {
  readonly #stats: OperatorBotStats = {
    loggedIn: 0,
    answeredCards: 0,
    saved: {},
    leftUnsaved: 0,
    reworked: 0,
    refused: {},
  };
  readonly #bots: OperatorBot[];
  #running = false;
  #loops: Promise<void>[] = [];
  #failure: unknown;

  constructor(options: OperatorBotsOptions) {
    this.#bots = options.operators.map(
      (operator, i) => new OperatorBot(operator, options, this.#stats, options.seed * 1000 + i),
    );
  }

  start(): void {
    this.#running = true;
    this.#loops = this.#bots.map((bot) =>
      bot
        .run(() => this.#running)
        .catch((error: unknown) => {
          this.#failure ??= error; // neither an answer nor the ARM away: a bug; stop() reports it
        }),
    );
  }

  /** True when no operator has a save waiting for its think time. */
  idle(): boolean {
    return this.#bots.every((b) => !b.busy);
  }

  stats(): OperatorBotStats {
    return structuredClone(this.#stats);
  }

  /** Stops polling, waits for the saves under way, logs out. Rejects with what broke an operator's loop, if anything. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    await Promise.all(this.#bots.map((b) => b.logout()));
    if (this.#failure) throw this.#failure;
  }
}
