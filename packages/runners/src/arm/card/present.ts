import type { ArmConfig } from '@tm/contracts';
import { ageOn, maskPhone } from '@tm/filters';
import { ICAO_DOC_9303, translate } from 'iuliia';
import type { ClientInfo } from '../../campaign/db/client-info.js';
import type { ClientCard } from '../schemas.js';
import type { CommunicationRow } from './communication-rows.js';
import { countryName, STATUS_LABELS, UNIT_LABELS } from './labels.js';
import { calendarDate, moscowDateTime } from './moscow.js';

type Application = ClientInfo['application'];
type CardCommunication = ClientCard['currentCommunication'];
type Product = NonNullable<ClientCard['productList']>[number];
type FullName = NonNullable<ClientCard['clientInfo']['fullNameRu']>;

const CYRILLIC = /[\u0400-\u04FF]/;
const cut = (s: string, max: number) => (s.length > max ? s.slice(0, max) : s);
const dict = (key: string, labels: Readonly<Record<string, string>> = {}) => ({
  dictionaryKey: cut(key, 64),
  dictionaryValue: cut(labels[key] ?? key, 128),
});
const kopecks = (roubles: number | null | undefined) =>
  roubles == null ? undefined : Math.max(0, roubles) * 100;

/** ICAO Doc 9303 transliteration (passports'), keeping a name written in capitals in capitals. */
function latin(name: string): string {
  const t = translate(name, ICAO_DOC_9303);
  return name === name.toUpperCase() ? t.toUpperCase() : t;
}

/** Keeps only the keys whose value is neither null nor undefined (optional DTO fields are left out, not null). */
function defined<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null | undefined>;
  };
}

/** The application a communication was about: its number and whether it became a loan (Тип: Заявка/Займ). */
function applicationOf(row: CommunicationRow): { doId: string; type: 'APPLICATION' | 'LOAN' } {
  const app = row.clientInfo.application;
  return { doId: cut(app.applicationNumber, 32), type: app.loanStatus ? 'LOAN' : 'APPLICATION' };
}

/** The operator who handled a communication, as the card and the rework list name them. */
function operatorOf(row: CommunicationRow): { name: string; lastName: string } {
  return { name: cut(row.operatorFirstName ?? '', 32), lastName: cut(row.operatorLastName ?? '', 32) };
}

/** A communication as the rework list (Appendix Е) shows it. */
export type ListItem = {
  time: string;
  id: number;
  doId?: string;
  type?: 'APPLICATION' | 'LOAN';
  campaign?: { displayName: string; description?: string };
  callPhone: string;
  result?: Record<string, string>;
  operator: { name: string; lastName: string };
};

/**
 * Turns stored communications and tasks into the ARM's DTOs (thesis fig. 47–49, Appendices Е, З, Л), one place
 * for every reading ADR 0093 settles: phones masked unless `arm.mask-phones` is off, times in Moscow as
 * `dd.MM.yyyy HH:mm`, amounts in kopecks, citizenship as a country name, names in Cyrillic and Latin, campaign
 * names and hints from `arm.campaigns` (else TM$CAMPAIGNS.NAME cut to 32).
 */
export class CardPresenter {
  readonly #campaigns: ReadonlyMap<number, { displayName: string; description?: string | undefined }>;

  constructor(
    private readonly config: Pick<ArmConfig, 'maskPhones' | 'campaigns'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#campaigns = new Map(config.campaigns.map((c) => [c.campaignId, c]));
  }

  /** The phone as the operator may see it. */
  phone(phone: string): string {
    return this.config.maskPhones ? maskPhone(phone) : phone;
  }

  campaign(row: Pick<CommunicationRow, 'campaignId' | 'campaignName'>): {
    displayName: string;
    description?: string;
  } {
    const own = this.#campaigns.get(row.campaignId);
    if (own) return defined({ displayName: own.displayName, description: own.description });
    return { displayName: cut(row.campaignName, 32) };
  }

  communication(row: CommunicationRow): CardCommunication {
    const r = row.resultDetails;
    return {
      ...this.#communicationHead(row),
      result: defined({ reason: r.reason, result: r.result, comment: r.comment }),
      operator: operatorOf(row),
      state: row.state,
    };
  }

  listItem(row: CommunicationRow): ListItem {
    const r = row.resultDetails;
    return {
      ...this.#communicationHead(row),
      result: defined({ REASON: r.reason, RESULT: r.result, COMMENT: r.comment }),
      operator: operatorOf(row),
    };
  }

  /** What a card's communication and a rework list item both start with: when, which, about what, which phone. */
  #communicationHead(row: CommunicationRow) {
    return {
      time: moscowDateTime(row.startedAt ?? row.writtenAt),
      id: row.id,
      ...applicationOf(row),
      campaign: this.campaign(row),
      callPhone: this.phone(row.phone),
    };
  }

  /** The client card of `current`, with the client's other communications and applications. */
  card(
    current: CommunicationRow,
    history: readonly CommunicationRow[],
    applications: readonly { taskId: number; clientInfo: ClientInfo }[],
  ): ClientCard {
    const info = current.clientInfo;
    const app = info.application;
    const products: Product[] = applications.map(({ taskId, clientInfo }) =>
      this.#applicationProduct(clientInfo.application, taskId === current.taskId),
    );
    if (!applications.some((a) => a.taskId === current.taskId))
      products.unshift(this.#applicationProduct(app, true));
    for (const offer of info.products ?? []) {
      products.push({
        startTime: moscowDateTime(info.decidedAt),
        endTime: moscowDateTime(info.decidedAt),
        type: 'OFFER',
        statusDict: dict('offered', STATUS_LABELS),
        productDict: dict(offer.productType),
        approvedAmount: kopecks(offer.maxAmount) ?? 0,
        term: Math.max(0, offer.term),
        termUnitDict: dict(offer.termUnit, UNIT_LABELS),
        grace: 0,
        current: false,
        interestRate: Math.max(0, offer.interestRate),
      });
    }
    return {
      clientInfo: this.#clientInfo(current),
      currentCommunication: this.communication(current),
      productList: products,
      history: history.map((h) => this.communication(h)),
    };
  }

  #clientInfo(row: CommunicationRow): ClientCard['clientInfo'] {
    const app = row.clientInfo.application;
    const names = [app.firstName, app.lastName, app.middleName];
    const cyrillic = names.some((n) => n && CYRILLIC.test(n));
    const name = (translit: boolean): FullName | undefined => {
      if (!app.firstName && !app.lastName) return undefined;
      const t = (s: string | null) => (s ? cut(translit ? latin(s) : s, 32) : undefined);
      return defined({
        name: t(app.firstName) ?? '',
        lastName: t(app.lastName) ?? '',
        middleName: t(app.middleName),
      });
    };
    const age = app.birthDate == null ? undefined : ageOn(app.birthDate, this.now().getTime());
    return defined({
      phone: this.phone(row.phone),
      fullNameRu: cyrillic ? name(false) : undefined,
      fullNameEn: name(cyrillic),
      citizenship: app.citizenship ? cut(countryName(app.citizenship), 92) : undefined,
      birthDate: app.birthDate == null ? undefined : calendarDate(app.birthDate),
      age: age !== undefined && age >= 18 && age <= 128 ? age : undefined,
      segment: row.clientInfo.casperProfile?.segment
        ? cut(row.clientInfo.casperProfile.segment, 64)
        : undefined,
    });
  }

  #applicationProduct(app: Application, current: boolean): Product {
    return defined({
      startTime: moscowDateTime(app.createdAt),
      endTime: moscowDateTime(app.loanChangedAt ?? app.changedAt),
      number: cut(app.applicationNumber, 32),
      type: app.loanStatus ? ('LOAN' as const) : ('APPLICATION' as const),
      statusDict: dict(app.loanStatus ?? app.applicationStatus, STATUS_LABELS),
      productDict: app.productType ? dict(app.productType) : undefined,
      requestedAmount: kopecks(app.requestedAmount),
      approvedAmount: kopecks(app.approvedAmount),
      term: Math.max(0, app.term ?? 0),
      termUnitDict: app.termUnit ? dict(app.termUnit, UNIT_LABELS) : undefined,
      grace: Math.max(0, app.grace ?? 0),
      graceUnitDict: app.graceUnit ? dict(app.graceUnit, UNIT_LABELS) : undefined,
      current,
      deviceOsDict: app.os ? dict(app.os) : undefined,
    });
  }
}
