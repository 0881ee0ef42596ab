import { expect } from 'chai';
import { columnLayout } from './column-layout.js';
import { CSV_COLUMNS } from './columns.js';
import { formatCsvError } from './errors.js';
import { type RowMeta, type RowResult, validateRow } from './validate-row.js';

/** A valid row in the shape of the thesis's own examples (Appendix A), one cell per column number. */
const valid: Record<string, string> = {
  '1.1': '202310240011',
  '1.2': '07.10.2023',
  '1.3': '10:57:25',
  '1.4': '07.10.2023',
  '1.5': '11:09:03',
  '1.6': 'scored',
  '1.7': '08.10.2023',
  '1.8': '00:00:00',
  '1.9': 'transferred',
  '1.10': 'approved',
  '2.1': 'pioneer',
  '2.2': '79529320067',
  '2.3': 'qegS3JF7ceibnPAVHvTMy',
  '2.4': 'KGZ',
  '2.5': '1234',
  '2.6': 'AM123456',
  '2.7': 'БЕКИШОВ',
  '2.8': 'АЙДАРБЕК',
  '2.9': 'КУБАНЫЧБЕКОВИЧ',
  '2.10': '01.02.1995',
  '2.11': 'M',
  '3.1': 'ANDROID',
  '3.2': '3.102.0',
  '3.3': 'be86e2a103acf33a',
  '4.1': '25000',
  '4.2': '20000',
  '4.3': 'express',
  '4.4': '63',
  '4.5': 'day',
  '4.6': '7',
  '4.7': 'month',
};

function cells(overrides: Record<string, string> = {}): string[] {
  const all = { ...valid, ...overrides };
  return CSV_COLUMNS.map((c) => all[c.number] ?? '');
}

/** 2024-06-01T12:00:00Z: 15:00 in Moscow. */
const receivedAt = Date.UTC(2024, 5, 1, 12, 0, 0);
const meta: RowMeta = { dataStream: 'MOBILE_LOANS', sourceFile: 'apps.csv', lineNumber: 7, receivedAt };

function errorsOf(result: RowResult): string[] {
  return result.ok ? [] : result.errors.map(formatCsvError);
}

function check(overrides: Record<string, string>): string[] {
  return errorsOf(validateRow(cells(overrides), meta));
}

function application(overrides: Record<string, string> = {}) {
  const result = validateRow(cells(overrides), meta);
  if (!result.ok) expect.fail(`unexpected errors: ${errorsOf(result).join('; ')}`);
  return result.application;
}

describe('validateRow (CSV contract, thesis Appendix A)', () => {
  it('maps a valid row to an Application: Moscow times to UTC millis, birth date to epoch days', () => {
    expect(application()).to.deep.equal({
      applicationNumber: '202310240011',
      createdAt: Date.UTC(2023, 9, 7, 7, 57, 25),
      changedAt: Date.UTC(2023, 9, 7, 8, 9, 3),
      applicationStatus: 'scored',
      loanChangedAt: Date.UTC(2023, 9, 7, 21, 0, 0),
      loanStatus: 'transferred',
      scoringResult: 'approved',
      clientType: 'pioneer',
      phone: '79529320067',
      faceId: 'qegS3JF7ceibnPAVHvTMy',
      citizenship: 'KGZ',
      passportSeries: '1234',
      passportNumber: 'AM123456',
      lastName: 'БЕКИШОВ',
      firstName: 'АЙДАРБЕК',
      middleName: 'КУБАНЫЧБЕКОВИЧ',
      birthDate: Date.UTC(1995, 1, 1) / 86_400_000,
      gender: 'M',
      os: 'ANDROID',
      appVersion: '3.102.0',
      deviceId: 'be86e2a103acf33a',
      requestedAmount: 25000,
      approvedAmount: 20000,
      productType: 'express',
      term: 63,
      termUnit: 'day',
      grace: 7,
      graceUnit: 'month',
      dataStream: 'MOBILE_LOANS',
      sourceFile: 'apps.csv',
      lineNumber: 7,
      receivedAt,
    });
  });

  it('trims values and reads empty optional cells as null', () => {
    const optional = CSV_COLUMNS.filter((c) => !c.required).map((c) => c.number);
    const blanks = Object.fromEntries(optional.map((n) => [n, '   ']));
    const app = application({ ...blanks, '1.6': ' registered ', '2.2': '\t79001234567 ', '1.1': ' 42 ' });
    expect(app.applicationNumber).to.equal('42');
    expect(app.phone).to.equal('79001234567');
    expect(app.applicationStatus).to.equal('registered');
    for (const field of [
      'loanChangedAt',
      'loanStatus',
      'scoringResult',
      'faceId',
      'birthDate',
      'term',
    ] as const) {
      expect(app[field], field).to.equal(null);
    }
  });

  it('requires 1.1–1.6, 2.1 and 2.2, and reports every missing one', () => {
    const missing = Object.fromEntries(CSV_COLUMNS.filter((c) => c.required).map((c) => [c.number, '']));
    expect(check({ ...missing, '1.10': '' })).to.deep.equal([
      '7:1.1: applicationNumber is required',
      '7:1.2: createdDate is required',
      '7:1.3: createdTime is required',
      '7:1.4: changedDate is required',
      '7:1.5: changedTime is required',
      '7:1.6: applicationStatus is required',
      '7:2.1: clientType is required',
      '7:2.2: phone is required',
    ]);
  });

  it('reports every error of a row, in column order', () => {
    expect(check({ '1.1': '12a', '1.3': '24:00:00', '2.2': '89001234567', '4.1': '-5' })).to.deep.equal([
      '7:1.1: applicationNumber must be digits (got "12a")',
      '7:1.3: createdTime must be a time hh:mm:ss from 00:00:00 to 23:59:59 (got "24:00:00")',
      '7:2.2: phone must be 11 digits starting with 7',
      '7:4.1: requestedAmount must be a non-negative integer (got "-5")',
    ]);
  });

  it('refuses a cell longer than its column allows, naming the length, never the value (issue 15, defect 2)', () => {
    const huge = 'Ж'.repeat(300_000);
    expect(check({ '2.7': huge, '3.1': 'A'.repeat(65), '1.1': '1'.repeat(33) })).to.deep.equal([
      '7:1.1: applicationNumber must be at most 32 characters, has 33',
      '7:2.7: lastName must be at most 100 characters, has 300000',
      '7:3.1: os must be at most 64 characters, has 65',
    ]);
    expect(check({ '2.7': 'Ж'.repeat(100), '3.1': 'A'.repeat(64) })).to.deep.equal([]);
    expect(CSV_COLUMNS.every((c) => c.maxLength > 0 && c.maxLength <= 128)).to.equal(true);
  });

  describe('dates and times', () => {
    it('refuses dates that are not on the calendar: 31.02, 29.02 of a non-leap year, 00 and 13', () => {
      for (const bad of [
        '31.02.2023',
        '29.02.2023',
        '29.02.1900',
        '00.01.2023',
        '01.13.2023',
        '31.04.2023',
      ]) {
        expect(check({ '1.2': bad }), bad).to.deep.equal([
          `7:1.2: createdDate must be a calendar date DD.MM.YYYY (got "${bad}")`,
        ]);
      }
    });

    it('accepts 29.02 of leap years, 2000 included', () => {
      expect(application({ '1.4': '29.02.2024' }).changedAt).to.equal(Date.UTC(2024, 1, 29, 8, 9, 3));
      expect(application({ '1.4': '29.02.2000' }).changedAt).to.equal(Date.UTC(2000, 1, 29, 8, 9, 3));
    });

    it('refuses dates in any other shape', () => {
      for (const bad of ['7.10.2023', '07-10-2023', '2023-10-07', '07.10.23', '07.1O.2023', '07.10.2023 ']) {
        const errors = check({ '1.4': `x${bad}` });
        expect(errors, bad).to.have.length(1);
        expect(errors[0]).to.match(/^7:1\.4: changedDate must be a calendar date DD\.MM\.YYYY/);
      }
    });

    it('keeps years below 100 exact (Date.UTC would read them as 19xx)', () => {
      expect(application({ '2.10': '01.01.0050' }).birthDate).to.equal(-daysBefore1970(1970 - 50));
    });

    it('reads times 00:00:00 to 23:59:59 and refuses 24:00:00, 23:60:00, 23:59:60 and 9:00:00', () => {
      expect(application({ '1.3': '00:00:00' }).createdAt).to.equal(Date.UTC(2023, 9, 6, 21, 0, 0));
      expect(application({ '1.3': '23:59:59' }).createdAt).to.equal(Date.UTC(2023, 9, 7, 20, 59, 59));
      for (const bad of ['24:00:00', '23:60:00', '23:59:60', '9:00:00', '09:00', '09-00-00']) {
        expect(check({ '1.5': bad }), bad).to.deep.equal([
          `7:1.5: changedTime must be a time hh:mm:ss from 00:00:00 to 23:59:59 (got "${bad}")`,
        ]);
      }
    });

    it('wants loan date and loan time both or neither', () => {
      expect(check({ '1.8': '' })).to.deep.equal([
        '7:1.8: loanChangedTime is required when loanChangedDate (1.7) is given',
      ]);
      expect(check({ '1.7': '' })).to.deep.equal([
        '7:1.7: loanChangedDate is required when loanChangedTime (1.8) is given',
      ]);
      expect(application({ '1.7': '', '1.8': '' }).loanChangedAt).to.equal(null);
    });

    it('refuses a birth date after the Moscow date of receivedAt, and allows that date itself', () => {
      expect(check({ '2.10': '02.06.2024' })).to.deep.equal(['7:2.10: birthDate must not be in the future']);
      expect(application({ '2.10': '01.06.2024' }).birthDate).to.equal(Date.UTC(2024, 5, 1) / 86_400_000);
      // 22:30 UTC on 1 June is already 2 June in Moscow.
      const lateEvening = { ...meta, receivedAt: Date.UTC(2024, 5, 1, 22, 30) };
      expect(validateRow(cells({ '2.10': '02.06.2024' }), lateEvening).ok).to.equal(true);
    });

    it('never quotes a birth date (personal data) in a reason', () => {
      expect(check({ '2.10': '30.02.1990' })).to.deep.equal([
        '7:2.10: birthDate must be a calendar date DD.MM.YYYY',
      ]);
    });
  });

  describe('enums', () => {
    it('takes every value of each enum', () => {
      for (const status of ['created', 'registered', 'canceled']) {
        expect(application({ '1.6': status, '1.10': '' }).applicationStatus).to.equal(status);
      }
      for (const status of ['transferred', 'received', 'canceled', 'repaid']) {
        expect(application({ '1.9': status }).loanStatus).to.equal(status);
      }
      expect(application({ '1.10': 'rejected' }).scoringResult).to.equal('rejected');
      expect(application({ '2.1': 'repeater' }).clientType).to.equal('repeater');
      expect(application({ '2.11': 'F' }).gender).to.equal('F');
      expect(application({ '4.5': 'month', '4.7': 'day' })).to.include({
        termUnit: 'month',
        graceUnit: 'day',
      });
    });

    it('reads the thesis spelling `recieved` as received', () => {
      expect(application({ '1.9': 'recieved' }).loanStatus).to.equal('received');
    });

    it('refuses values outside each enum, naming the allowed ones', () => {
      expect(
        check({ '1.6': 'approved', '1.9': 'lost', '2.1': 'vip', '2.11': 'X', '4.5': 'week', '4.7': 'Day' }),
      ).to.deep.equal([
        '7:1.6: applicationStatus must be one of created, registered, scored, canceled (got "approved")',
        '7:1.9: loanStatus must be one of transferred, received, canceled, repaid (got "lost")',
        '7:2.1: clientType must be one of pioneer, repeater (got "vip")',
        '7:2.11: gender must be one of M, F (got "X")',
        '7:4.5: termUnit must be one of day, month (got "week")',
        '7:4.7: graceUnit must be one of day, month (got "Day")',
      ]);
    });

    it('allows a scoring result only when the application status is scored', () => {
      expect(check({ '1.6': 'registered' })).to.deep.equal([
        '7:1.10: scoringResult is only allowed when applicationStatus (1.6) is scored',
      ]);
      expect(application({ '1.6': 'registered', '1.10': '' }).scoringResult).to.equal(null);
      expect(check({ '1.10': 'maybe' })).to.deep.equal([
        '7:1.10: scoringResult must be one of approved, rejected (got "maybe")',
      ]);
    });

    it('accepts product types outside the named ones (an open set)', () => {
      expect(application({ '4.3': 'installmentPlus' }).productType).to.equal('installmentPlus');
      expect(application({ '4.3': 'webExpress' }).productType).to.equal('webExpress');
    });
  });

  describe('client fields', () => {
    it('wants the phone as 11 digits starting with 7, and never quotes it', () => {
      for (const bad of ['+79529320067', '89529320067', '7952932006', '795293200671', '7952932006a']) {
        expect(check({ '2.2': bad }), bad).to.deep.equal(['7:2.2: phone must be 11 digits starting with 7']);
      }
    });

    it('wants citizenship as three capital letters', () => {
      expect(application({ '2.4': 'UZB' }).citizenship).to.equal('UZB');
      for (const bad of ['kgz', 'KG', 'KGZS', 'К GZ']) {
        expect(check({ '2.4': bad }), bad).to.have.length(1);
      }
    });

    it('takes names in Cyrillic or Latin as they are', () => {
      expect(application({ '2.7': 'BEKISHOV', '2.8': 'Айдарбек' })).to.include({
        lastName: 'BEKISHOV',
        firstName: 'Айдарбек',
      });
    });
  });

  describe('amounts, term and grace', () => {
    it('reads non-negative integers and refuses signs, fractions, spaces and overflow', () => {
      expect(application({ '4.1': '0', '4.4': '2147483647' })).to.include({
        requestedAmount: 0,
        term: 2147483647,
      });
      expect(
        check({ '4.1': '1.5', '4.2': '-1', '4.4': '2147483648', '4.6': '1 000', '4.3': '' }),
      ).to.deep.equal([
        '7:4.1: requestedAmount must be a non-negative integer (got "1.5")',
        '7:4.2: approvedAmount must be a non-negative integer (got "-1")',
        '7:4.4: term must be at most 2147483647 (got "2147483648")',
        '7:4.6: grace must be a non-negative integer (got "1 000")',
      ]);
      expect(check({ '4.2': '9007199254740992' })).to.deep.equal([
        '7:4.2: approvedAmount must be at most 9007199254740991 (got "9007199254740992")',
      ]);
    });
  });

  describe('row width', () => {
    it('refuses 30 and 32 columns with one row-level error', () => {
      const row = cells();
      expect(errorsOf(validateRow(row.slice(0, 30), meta))).to.deep.equal([
        '7:*: row has 30 columns, expected 31',
      ]);
      expect(errorsOf(validateRow([...row, ''], meta))).to.deep.equal([
        '7:*: row has 32 columns, expected 31',
      ]);
    });

    it('reads the Appendix A columns around the extra columns of a layout', () => {
      const row = cells({ '2.1': 'repeater' });
      const withExtra = [...row.slice(0, 10), '101', '', ...row.slice(10)];
      const layout = columnLayout([11, 12]);
      const result = validateRow(withExtra, meta, layout);
      expect(result.ok && result.application).to.include({
        clientType: 'repeater',
        phone: '79529320067',
        grace: 7,
      });
      expect(errorsOf(validateRow(row, meta, layout))).to.deep.equal([
        '7:*: row has 31 columns, expected 33',
      ]);
    });
  });
});

/** Days from 1 January (1970 − n years) to 1970-01-01, counted on the calendar. */
function daysBefore1970(years: number): number {
  let days = 0;
  for (let y = 1970 - years; y < 1970; y++)
    days += (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365;
  return days;
}
