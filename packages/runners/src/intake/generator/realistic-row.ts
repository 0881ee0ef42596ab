import { faker } from '@faker-js/faker/locale/ru';
import { KNOWN_PRODUCT_TYPES, MOSCOW_OFFSET_MS } from '@tm/contracts';
import { ICAO_DOC_9303, translate } from 'iuliia';
import type { SeededRandom } from './seeded-random.js';

/** A product type outside the ones Appendix A names: the set is open, and intake must take it. */
export const UNKNOWN_PRODUCT_TYPE = 'installmentPlus';

/**
 * Citizenships with their weights: mostly the migrant clients of the thesis (KGZ, UZB, TJK…), and BLR, UKR and
 * GEO, which the sample campaign config excludes.
 */
const CITIZENSHIPS: readonly (readonly [string, number])[] = [
  ['KGZ', 30],
  ['UZB', 25],
  ['TJK', 15],
  ['RUS', 10],
  ['KAZ', 5],
  ['ARM', 4],
  ['AZE', 3],
  ['MDA', 2],
  ['BLR', 2],
  ['UKR', 2],
  ['GEO', 2],
];

const STATUSES = [
  ['created', 20],
  ['registered', 35],
  ['scored', 35],
  ['canceled', 10],
] as const;
const SCORING_RESULTS = [
  ['approved', 6],
  ['rejected', 3],
  ['', 1],
] as const;
/** `recieved` is the thesis's own spelling of received; files carry it. */
const LOAN_STATUSES = [
  ['transferred', 3],
  ['received', 3],
  ['recieved', 2],
  ['canceled', 1],
  ['repaid', 1],
] as const;
const PRODUCT_TYPES: readonly (readonly [string, number])[] = [
  ...KNOWN_PRODUCT_TYPES.map((p) => [p, p === 'express' ? 40 : 10] as const),
  [UNKNOWN_PRODUCT_TYPE, 4],
  ['', 6],
];

type Sex = 'male' | 'female';
/** faker's Russian name lists (the `ru` locale entry loads that locale only, not all of them). */
const names = faker.rawDefinitions.person as {
  first_name: Record<Sex, string[]>;
  last_name: Record<Sex, string[]>;
  middle_name: Record<Sex, string[]>;
};

const DAY = 86_400_000;
/** Applications are created between these instants (Moscow 1 Oct 2023 – 1 Jun 2024), whatever today is. */
const FIRST_CREATED = Date.UTC(2023, 9, 1) - MOSCOW_OFFSET_MS;
const LAST_CREATED = Date.UTC(2024, 5, 1) - MOSCOW_OFFSET_MS;
const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `DD.MM.YYYY` of the Moscow date at UTC millis `at`. */
function moscowDate(at: number): string {
  const d = new Date(at + MOSCOW_OFFSET_MS);
  return `${pad2(d.getUTCDate())}.${pad2(d.getUTCMonth() + 1)}.${d.getUTCFullYear()}`;
}

/** `hh:mm:ss` of the Moscow time at UTC millis `at`. */
function moscowTime(at: number): string {
  const d = new Date(at + MOSCOW_OFFSET_MS);
  return `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
}

/** A Russian mobile number as Appendix A writes it: 7, then a 9xx operator code, then seven digits. */
function mobilePhone(random: SeededRandom): string {
  return `79${pad2(random.int(0, 99))}${String(random.int(0, 9_999_999)).padStart(7, '0')}`;
}

/** Upper-case name as documents print it; Latin (ICAO Doc 9303, as in Russian passports) when `latin`. */
function documentName(name: string, latin: boolean): string {
  return (latin ? translate(name, ICAO_DOC_9303) : name).toUpperCase();
}

/**
 * The 31 Appendix A cells of one plausible, valid application (DESIGN.md §4): every application status, loan
 * status (sometimes spelled `recieved`, as the thesis does), scoring result (only with scored), client type,
 * product type (an unknown one too), term and grace unit occurs; ages 16–80; about one row in five without full
 * identification (no citizenship, document, names, birth date or gender), about one in five with Latin names.
 */
export function realisticRow(random: SeededRandom, applicationNumber: string): string[] {
  const createdAt = random.int(FIRST_CREATED / 1000, LAST_CREATED / 1000 - 1) * 1000;
  const changedAt = createdAt + random.int(0, 3 * 86_400) * 1000;
  const status = random.weighted(STATUSES);
  const scoring = status === 'scored' ? random.weighted(SCORING_RESULTS) : '';

  const hasLoan = status === 'scored' && scoring === 'approved' ? random.chance(0.6) : random.chance(0.05);
  const loanAt = changedAt + random.int(60, 86_400) * 1000;
  const loanStatus = hasLoan ? random.weighted(LOAN_STATUSES) : '';

  const identified = random.chance(0.8);
  const sex: Sex = random.chance(0.55) ? 'male' : 'female';
  const latin = identified && random.chance(0.2);
  const citizenship = identified ? random.weighted(CITIZENSHIPS) : '';
  const russian = citizenship === 'RUS';
  const ageDays = random.int(16 * 365 + 5, 80 * 365);
  const android = random.chance(0.7);

  const requested = random.int(2, 200) * 500;
  const approved = scoring === 'approved' ? Math.min(requested, random.int(2, 200) * 500) : 0;
  const product = random.weighted(PRODUCT_TYPES);
  const termUnit = random.chance(0.7) ? 'day' : 'month';
  const graceUnit = random.chance(0.8) ? 'day' : 'month';
  const hasGrace = random.chance(0.6);

  return [
    applicationNumber,
    moscowDate(createdAt),
    moscowTime(createdAt),
    moscowDate(changedAt),
    moscowTime(changedAt),
    status,
    hasLoan ? moscowDate(loanAt) : '',
    hasLoan ? moscowTime(loanAt) : '',
    loanStatus,
    scoring,
    random.chance(0.6) ? 'pioneer' : 'repeater',
    mobilePhone(random),
    random.chance(0.7) ? random.chars(ALNUM, 21) : '',
    citizenship,
    identified ? (russian ? String(random.int(1000, 9999)) : random.chars(LETTERS, 2)) : '',
    identified ? String(random.int(russian ? 100_000 : 1_000_000, russian ? 999_999 : 9_999_999)) : '',
    identified ? documentName(random.pick(names.last_name[sex]), latin) : '',
    identified ? documentName(random.pick(names.first_name[sex]), latin) : '',
    identified && random.chance(0.9) ? documentName(random.pick(names.middle_name[sex]), latin) : '',
    identified ? moscowDate(createdAt - ageDays * DAY) : '',
    identified ? (sex === 'male' ? 'M' : 'F') : '',
    android ? 'ANDROID' : 'IOS',
    `3.${random.int(90, 110)}.${random.int(0, 5)}`,
    android ? random.chars(HEX, 16) : random.chars(HEX, 32).toUpperCase(),
    String(requested),
    approved > 0 ? String(approved) : '',
    product,
    termUnit === 'day' ? String(random.int(7, 180)) : String(random.int(1, 24)),
    termUnit,
    hasGrace ? String(graceUnit === 'day' ? random.int(0, 30) : random.int(0, 3)) : '',
    hasGrace ? graceUnit : '',
  ];
}
