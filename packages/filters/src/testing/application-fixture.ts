import type { Application } from '@tm/contracts';

/** Epoch milliseconds of a Moscow wall-clock time: `moscowTime('2024-03-01T09:30:00')`. */
export function moscowTime(local: string): number {
  return Date.parse(`${local}+03:00`);
}

/** Days since 1970-01-01 of a calendar date, as Application.birthDate holds it: `epochDays('2006-02-28')`. */
export function epochDays(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 86_400_000;
}

/**
 * A complete, valid application (a registered MOBILE_LOANS pioneer, 30 years old, Russian citizen) with
 * `overrides` applied; for tests and examples.
 */
export function applicationFixture(overrides: Partial<Application> = {}): Application {
  return {
    applicationNumber: '34697463',
    createdAt: moscowTime('2024-03-01T09:30:00'),
    changedAt: moscowTime('2024-03-01T09:35:00'),
    applicationStatus: 'registered',
    loanChangedAt: null,
    loanStatus: null,
    scoringResult: null,
    clientType: 'pioneer',
    phone: '79131234567',
    faceId: '2Zz484MBY7almrgo4-B0',
    citizenship: 'RUS',
    passportSeries: '1234',
    passportNumber: 'AM123456',
    lastName: 'ИВАНОВ',
    firstName: 'ИВАН',
    middleName: 'ИВАНОВИЧ',
    birthDate: epochDays('1994-02-01'),
    gender: 'M',
    os: 'ANDROID',
    appVersion: '3.102.0',
    deviceId: 'be86e2a103acf33a',
    requestedAmount: 25_000,
    approvedAmount: null,
    productType: 'express',
    term: 63,
    termUnit: 'day',
    grace: 7,
    graceUnit: 'day',
    dataStream: 'MOBILE_LOANS',
    sourceFile: 'mobile_loans_20240301.csv',
    lineNumber: 1,
    receivedAt: moscowTime('2024-03-01T09:40:00'),
    ...overrides,
  };
}
