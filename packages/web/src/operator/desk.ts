/**
 * The operator's desk: what the page shows and does, apart from how it is drawn (thesis §2.6.5, figs 47–52). It polls
 * `hasChanges` at the interval the ARM names, opens the current call's card, runs the 60-second rule on the page's
 * side (the draft saved when it runs out, ADR 0116), saves results, opens rework cards, orders call-backs, sets the
 * ready/break status and logs out. No DOM: the components render {@link DeskState}, and unit tests drive it with a
 * fake ARM and a fake clock.
 */
import {
  type ArmClient,
  ArmError,
  type ClientCard,
  type ClientCardResponse,
  type CommunicationListItem,
  type CommunicationResult,
  type Dictionaries,
  type OperatorStatus,
} from './arm-api.js';

/** The page saves its draft this long before the ARM's deadline, so the draft that carries what the operator typed
 * reaches the ARM before the server's own (empty) one (ADR 0116). */
export const DRAFT_LEAD_MS = 1_000;
/** How long to wait between polls when the ARM names no interval, and after a failed poll. */
export const DEFAULT_POLL_MS = 1_000;
const MIN_POLL_MS = 100;

/** What the page says (figs 51 and 52, and ours). */
export const MESSAGES = {
  saved: 'Результат разговора сохранен',
  notSaved: 'Результат разговора по предыдущему клиенту не был сохранен. Карточка вернется на доработку',
  alreadySaved: 'Результат разговора уже был сохранен',
  unanswered: 'Звонок завершен: клиент не ответил',
  resultRequired: 'Выберите результат разговора',
  callOrdered: 'Звонок заказан: система наберет клиента и соединит вас',
  offline: 'Нет связи с АРМ',
} as const;

/** A card on the screen. */
export interface OpenCard {
  /** `call`: the current call's card (fig. 49); `rework`: a card opened from the rework list (Appendix Л). */
  readonly source: 'call' | 'rework';
  readonly communicationId: number;
  readonly card: ClientCard;
  /**
   * Page-clock epoch ms at which the page saves the draft: the ARM's deadline less {@link DRAFT_LEAD_MS}. Null while
   * the call goes on, and for rework cards (a late result is never refused).
   */
  readonly deadline: number | null;
  /** What the result form holds. */
  readonly values: CommunicationResult;
  /** A save of this card is under way. */
  readonly saving: boolean;
}

/** A message to the operator; `id` tells two equal messages apart. */
export interface Notice {
  readonly kind: 'saved' | 'not-saved' | 'info' | 'error';
  readonly text: string;
  readonly id: number;
}

/** Everything the page shows. */
export interface DeskState {
  /** The rework list (undefined until loaded). */
  readonly list: readonly CommunicationListItem[] | undefined;
  readonly card: OpenCard | undefined;
  readonly notice: Notice | undefined;
  readonly dictionaries: Dictionaries;
  readonly status: OperatorStatus;
  /** False while the ARM does not answer (the page keeps polling). */
  readonly online: boolean;
  /** Set when the operator is logged out: by their own request, or because the token is no longer valid. */
  readonly loggedOut: 'logout' | 'expired' | undefined;
}

/** The clock and timers the desk runs on: the browser's (which Playwright's `page.clock` controls), or a test's. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const browserTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The form's fields as the ARM takes them: empty ones left out. */
function filled(values: CommunicationResult): CommunicationResult {
  const out: CommunicationResult = {};
  if (values.reason) out.reason = values.reason;
  if (values.result) out.result = values.result;
  if (values.comment?.trim()) out.comment = values.comment;
  return out;
}

const reasonOf = (err: unknown) =>
  err instanceof ArmError
    ? err.status === 0 || err.status >= 500
      ? MESSAGES.offline
      : (err.description ?? err.code)
    : String(err);

/** The operator's desk for one login (see the module comment). */
export class OperatorDesk {
  #state: DeskState;
  readonly #listeners = new Set<(state: DeskState) => void>();
  #pollTimer: unknown;
  #expiry: { communicationId: number; deadline: number; handle: unknown } | undefined;
  #noticeId = 0;
  #stopped = false;
  readonly #timers: Timers;

  constructor(
    private readonly api: ArmClient,
    options: { status?: OperatorStatus; timers?: Timers } = {},
  ) {
    this.#timers = options.timers ?? browserTimers;
    this.#state = {
      list: undefined,
      card: undefined,
      notice: undefined,
      dictionaries: { results: [], reasons: [] },
      status: options.status ?? 'READY',
      online: true,
      loggedOut: undefined,
    };
  }

  get state(): DeskState {
    return this.#state;
  }

  /** Calls `listener` with every new state; returns the unsubscribe function. */
  subscribe(listener: (state: DeskState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the dictionaries, the rework list and the current call's card (after a reload), then polls. */
  async start(): Promise<void> {
    try {
      const [dictionaries] = await Promise.all([
        this.api.getDictionaries(),
        this.#refreshList(),
        this.#refreshCall(),
      ]);
      this.#set({ dictionaries });
    } catch (err) {
      this.#failed(err);
    }
    this.#schedulePoll(DEFAULT_POLL_MS);
  }

  /** Stops polling and timers (the page is leaving). */
  stop(): void {
    this.#stopped = true;
    this.#timers.clearTimeout(this.#pollTimer);
    if (this.#expiry) this.#timers.clearTimeout(this.#expiry.handle);
    this.#expiry = undefined;
  }

  /** The result form changed. */
  edit(values: CommunicationResult): void {
    const card = this.#state.card;
    if (card && !card.saving) this.#set({ card: { ...card, values } });
  }

  /** СОХРАНИТЬ: saves the result (Appendix К); the card closes with fig. 51's message. */
  async save(): Promise<void> {
    const card = this.#state.card;
    if (!card || card.saving) return;
    if (!card.values.result) {
      this.#notify('error', MESSAGES.resultRequired);
      return;
    }
    this.#patchCard(card.communicationId, { saving: true });
    try {
      await this.api.saveCommunicationResult(card.communicationId, filled(card.values));
      this.#close(card.communicationId, 'saved', MESSAGES.saved);
    } catch (err) {
      if (err instanceof ArmError && err.code === 'ALREADY_FIXED') {
        this.#close(card.communicationId, 'info', MESSAGES.alreadySaved);
      } else if (!this.#failed(err)) {
        this.#patchCard(card.communicationId, { saving: false });
        this.#notify('error', `Результат не сохранен: ${reasonOf(err)}`);
        const open = this.#state.card;
        if (open?.deadline != null && this.#timers.now() >= open.deadline)
          await this.#expire(open.communicationId);
      }
    }
    await this.#refreshList().catch((err: unknown) => this.#failed(err));
  }

  /** Opens a card of the rework list (Appendix Л), unless a call's card is on the screen. */
  async openRework(communicationId: number): Promise<void> {
    if (this.#callOnScreen()) return;
    try {
      const answer = await this.api.getClientCardByCommunicationId(communicationId);
      if (this.#callOnScreen()) return; // a call came in meanwhile
      this.#set({ card: this.#cardOf('rework', answer) });
    } catch (err) {
      if (!this.#failed(err)) this.#notify('error', `Карточка не открыта: ${reasonOf(err)}`);
    }
  }

  /** Back to the rework list from a rework card (a call's card stays until saved or drafted). */
  closeRework(): void {
    if (this.#state.card?.source === 'rework') this.#set({ card: undefined });
  }

  /** Позвонить: asks the ARM to have the client called back (ADR 0097). */
  async callClient(communicationId: number): Promise<void> {
    try {
      await this.api.callClient(communicationId);
      this.#notify('info', MESSAGES.callOrdered);
    } catch (err) {
      if (err instanceof ArmError && err.status === 429) {
        this.#notify('info', `Следующий звонок можно заказать через ${err.retryAfterSeconds ?? 10} с`);
      } else if (!this.#failed(err)) {
        this.#notify('error', `Звонок не заказан: ${reasonOf(err)}`);
      }
    }
  }

  /** Готов / Перерыв (ADR 0096). */
  async setStatus(status: OperatorStatus): Promise<void> {
    try {
      await this.api.setStatus(status);
      this.#set({ status });
    } catch (err) {
      if (!this.#failed(err)) this.#notify('error', `Статус не изменен: ${reasonOf(err)}`);
    }
  }

  /** Выйти (Appendix М): an unsaved call's card is saved as a draft first, as its countdown would. */
  async logout(): Promise<void> {
    const card = this.#state.card;
    if (card?.source === 'call' && !card.saving) {
      await this.api.saveCommunicationDraft(card.communicationId, filled(card.values)).catch(() => {});
    }
    await this.api.logout().catch(() => {});
    this.stop();
    this.#set({ card: undefined, loggedOut: 'logout' });
  }

  /** Clears the message on the screen. */
  dismissNotice(): void {
    this.#set({ notice: undefined });
  }

  // --- polling ------------------------------------------------------------------------------------------------

  #schedulePoll(ms: number): void {
    if (this.#stopped) return;
    this.#pollTimer = this.#timers.setTimeout(() => void this.#poll(), Math.max(MIN_POLL_MS, ms));
  }

  async #poll(): Promise<void> {
    let wait = DEFAULT_POLL_MS;
    try {
      const { changes = [], pollIntervalMs } = await this.api.hasChanges();
      wait = pollIntervalMs ?? DEFAULT_POLL_MS;
      const reconnected = !this.#state.online;
      if (reconnected) this.#set({ online: true });
      if (reconnected || changes.includes('CLIENT_CARD_READY') || changes.includes('CALL_ENDED')) {
        await this.#refreshCall();
      }
      if (reconnected || changes.includes('COMMUNICATIONS_CHANGED')) await this.#refreshList();
    } catch (err) {
      this.#failed(err);
    }
    this.#schedulePoll(wait);
  }

  async #refreshList(): Promise<void> {
    const list = await this.api.listCommunications();
    this.#set({ list });
  }

  /**
   * The current call's card: a new call opens its card (drafting the previous client's, unsaved, with fig. 52's
   * message); the same call's card takes the result window the ARM now names; no card any more means the call was
   * withdrawn (nobody answered) or, once its window had started, drafted by the server.
   */
  async #refreshCall(): Promise<void> {
    const answer = await this.api.getClientCard();
    const open = this.#state.card;
    if (!answer) {
      if (open?.source !== 'call' || open.saving) return;
      if (open.deadline !== null) await this.#expire(open.communicationId);
      else this.#close(open.communicationId, 'info', MESSAGES.unanswered);
      return;
    }
    const next = this.#cardOf('call', answer);
    if (open?.source === 'call' && open.communicationId === next.communicationId) {
      this.#set({ card: { ...open, card: next.card, deadline: open.deadline ?? next.deadline } });
      return;
    }
    if (open?.source === 'call' && !open.saving) await this.#draftAndClose(open);
    this.#set({ card: next });
  }

  #cardOf(source: OpenCard['source'], answer: ClientCardResponse): OpenCard {
    const current = answer.clientCard.currentCommunication;
    let deadline: number | null = null;
    if (source === 'call') {
      if (answer.resultDueInMs != null) deadline = this.#timers.now() + answer.resultDueInMs - DRAFT_LEAD_MS;
      else if (answer.resultDueAt) deadline = Date.parse(answer.resultDueAt) - DRAFT_LEAD_MS;
    }
    return {
      source,
      communicationId: current.id,
      card: answer.clientCard,
      deadline,
      values: { ...current.result },
      saving: false,
    };
  }

  // --- the 60-second rule on the page ---------------------------------------------------------------------------

  /** Keeps one timer for the open call card's deadline. */
  #armExpiry(): void {
    const card = this.#state.card;
    const wanted = card?.source === 'call' && card.deadline !== null ? card : undefined;
    if (this.#expiry && wanted?.communicationId === this.#expiry.communicationId) {
      if (wanted.deadline === this.#expiry.deadline) return;
    }
    if (this.#expiry) this.#timers.clearTimeout(this.#expiry.handle);
    this.#expiry = undefined;
    if (!wanted || wanted.deadline === null || this.#stopped) return;
    const { communicationId, deadline } = wanted;
    const handle = this.#timers.setTimeout(
      () => void this.#expire(communicationId),
      Math.max(0, deadline - this.#timers.now()),
    );
    this.#expiry = { communicationId, deadline, handle };
  }

  /** The time ran out: the page saves what the form holds as a draft (Appendix И) and says so (fig. 52). */
  async #expire(communicationId: number): Promise<void> {
    const card = this.#state.card;
    if (card?.source !== 'call' || card.communicationId !== communicationId || card.saving) return;
    await this.#draftAndClose(card);
  }

  async #draftAndClose(card: OpenCard): Promise<void> {
    this.#patchCard(card.communicationId, { saving: true });
    let kind: Notice['kind'] = 'not-saved';
    let text: string = MESSAGES.notSaved;
    try {
      await this.api.saveCommunicationDraft(card.communicationId, filled(card.values));
    } catch (err) {
      if (err instanceof ArmError && err.code === 'ALREADY_FIXED') {
        kind = 'info';
        text = MESSAGES.alreadySaved;
      } else this.#failed(err);
      // Otherwise the card still returns for rework: the ARM's sweep saves the draft (ADR 0095).
    }
    this.#close(card.communicationId, kind, text);
    await this.#refreshList().catch((err: unknown) => this.#failed(err));
  }

  #callOnScreen(): boolean {
    return this.#state.card?.source === 'call';
  }

  // --- state --------------------------------------------------------------------------------------------------

  /** Handles an error every call may meet; true when it ended the session. */
  #failed(err: unknown): boolean {
    if (err instanceof ArmError && err.loggedOut) {
      this.stop();
      this.#set({ card: undefined, loggedOut: 'expired' });
      return true;
    }
    if (err instanceof ArmError && (err.status === 0 || err.status >= 500)) this.#set({ online: false });
    return false;
  }

  #close(communicationId: number, kind: Notice['kind'], text: string): void {
    if (this.#state.card?.communicationId === communicationId) this.#set({ card: undefined });
    this.#notify(kind, text);
  }

  #patchCard(communicationId: number, patch: Partial<OpenCard>): void {
    const card = this.#state.card;
    if (card?.communicationId === communicationId) this.#set({ card: { ...card, ...patch } });
  }

  #notify(kind: Notice['kind'], text: string): void {
    this.#noticeId += 1;
    this.#set({ notice: { kind, text, id: this.#noticeId } });
  }

  #set(patch: Partial<DeskState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#armExpiry();
    for (const listener of this.#listeners) listener(this.#state);
  }
}
