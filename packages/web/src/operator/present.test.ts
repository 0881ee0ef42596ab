import { expect } from 'chai';
import {
  ageLabel,
  amountLabel,
  clockLabel,
  fullName,
  resultSummary,
  termLabel,
  typeLabel,
} from './present.js';

describe('operator page wording (present.ts)', () => {
  const dictionaries = {
    results: [{ dictionaryKey: 'AGREED', dictionaryValue: 'Все понятно, заполнит позже' }],
    reasons: [{ dictionaryKey: 'NO_DOCUMENT', dictionaryValue: 'Не было с собой документа' }],
  };

  it('writes the history’s call result as fig. 49 does, with labels from the dictionaries', () => {
    expect(resultSummary({ reason: 'NO_DOCUMENT', result: 'AGREED' }, dictionaries)).to.equal(
      'Причина: Не было с собой документа; Результат: Все понятно, заполнит позже',
    );
    expect(resultSummary({ result: 'CALL_DROPPED' }, dictionaries)).to.equal('Результат: CALL_DROPPED');
    expect(resultSummary({}, dictionaries)).to.equal('Не сохранен');
  });

  it('writes amounts in roubles from kopecks, terms with units, types and ages in Russian', () => {
    expect(amountLabel(1_000_000).replace(/\s/g, ' ')).to.equal('10 000 ₽');
    expect(amountLabel(undefined)).to.equal('—');
    expect(termLabel(21, { dictionaryKey: 'day', dictionaryValue: 'дн.' })).to.equal('21 дн.');
    expect(termLabel(0, undefined)).to.equal('—');
    expect([typeLabel('APPLICATION'), typeLabel('LOAN'), typeLabel(undefined)]).to.deep.equal([
      'Заявка',
      'Займ',
      '—',
    ]);
    expect([ageLabel(21), ageLabel(23), ageLabel(27)]).to.deep.equal(['21 год', '23 года', '27 лет']);
  });

  it('writes names last name first, and the countdown as m:ss', () => {
    expect(fullName({ name: 'ЯСУРБЕК', lastName: 'ХОЖАНАЗАРОВ', middleName: 'МИРЗАНАЗАРОВИЧ' })).to.equal(
      'ХОЖАНАЗАРОВ ЯСУРБЕК МИРЗАНАЗАРОВИЧ',
    );
    expect(fullName(undefined)).to.equal('');
    expect([clockLabel(60), clockLabel(59.2), clockLabel(0.4), clockLabel(-3)]).to.deep.equal([
      '1:00',
      '1:00',
      '0:01',
      '0:00',
    ]);
  });
});
